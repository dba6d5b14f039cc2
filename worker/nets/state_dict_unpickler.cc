#include "worker/nets/state_dict_unpickler.h"

#include <cctype>
#include <map>
#include <set>
#include <unordered_map>

#include "worker/nets/byte_reader.h"
#include "worker/nets/pickle_opcodes.h"

namespace popsweep::nets {
namespace {

namespace op = pickle_opcode;

constexpr std::size_t kMaxGlobalNameLength = 256;

enum class Kind { kNone, kBool, kInt, kString, kTuple, kDict, kGlobal, kStorage, kTensor };

enum class AllowedGlobal { kOrderedDict, kRebuildTensorV2, kStorageClass };

// One unpickled value. Values live in an arena and refer to each other by
// index, so a hostile pickle that builds a cycle or a very deep nesting
// cannot leak memory or overflow the stack when the arena is freed.
struct Node {
  explicit Node(Kind kind) : kind(kind) {}

  Kind kind;
  std::int64_t integer = 0;        // kInt, kBool; kStorage and kTensor: index into their table
  std::string text;                // kString; kGlobal: "module.name"
  std::vector<std::size_t> items;  // kTuple: elements; kDict: key, value, key, value, ...
  AllowedGlobal global = AllowedGlobal::kOrderedDict;
  ElementType storage_type = ElementType::kFloat32;  // kGlobal of a storage class
};

struct StorageReference {
  ElementType type;
  std::shared_ptr<const std::vector<std::uint8_t>> bytes;
};

const std::map<std::string, ElementType>& storage_classes() {
  static const std::map<std::string, ElementType> classes = {
      {"torch.FloatStorage", ElementType::kFloat32},     {"torch.HalfStorage", ElementType::kFloat16},
      {"torch.BFloat16Storage", ElementType::kBFloat16}, {"torch.DoubleStorage", ElementType::kFloat64},
      {"torch.LongStorage", ElementType::kInt64},        {"torch.IntStorage", ElementType::kInt32},
      {"torch.ByteStorage", ElementType::kUInt8},        {"torch.BoolStorage", ElementType::kBool},
  };
  return classes;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::kNone:
      return "None";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kString:
      return "str";
    case Kind::kTuple:
      return "tuple";
    case Kind::kDict:
      return "dict";
    case Kind::kGlobal:
      return "global";
    case Kind::kStorage:
      return "storage";
    case Kind::kTensor:
      return "tensor";
  }
  return "value";
}

class RestrictedUnpickler {
 public:
  RestrictedUnpickler(const std::vector<std::uint8_t>& pickle, const std::string& source,
                      const StorageRecordLoader& load_storage)
      : reader_(pickle.data(), pickle.size(), source), load_storage_(load_storage) {}

  std::vector<NamedTensorRecord> run() {
    for (;;) {
      if (reader_.at_end()) reader_.fail("pickle ends without STOP (truncated?)");
      const std::uint8_t opcode = reader_.u8();
      if (opcode == op::kStop) break;
      execute(opcode);
    }
    return state_dict_entries(pop());
  }

 private:
  void execute(std::uint8_t opcode) {
    switch (opcode) {
      case op::kProto:
        check_protocol(reader_.u8());
        break;
      case op::kFrame:
        reader_.u64();
        break;  // framing is only a read-ahead hint
      case op::kMark:
        marks_.push_back(stack_.size());
        break;
      case op::kEmptyDict:
        push_new(Node{Kind::kDict});
        break;
      case op::kEmptyTuple:
        push_new(Node{Kind::kTuple});
        break;
      case op::kNone:
        push_new(Node{Kind::kNone});
        break;
      case op::kNewTrue:
        push_integer(Kind::kBool, 1);
        break;
      case op::kNewFalse:
        push_integer(Kind::kBool, 0);
        break;
      case op::kBinInt:
        push_integer(Kind::kInt, reader_.i32());
        break;
      case op::kBinInt1:
        push_integer(Kind::kInt, reader_.u8());
        break;
      case op::kBinInt2:
        push_integer(Kind::kInt, reader_.u16());
        break;
      case op::kLong1:
        push_integer(Kind::kInt, read_long1());
        break;
      case op::kBinUnicode:
        push_string(reader_.u32());
        break;
      case op::kShortBinUnicode:
        push_string(reader_.u8());
        break;
      case op::kBinPut:
        memo_[reader_.u8()] = top();
        break;
      case op::kLongBinPut:
        memo_[reader_.u32()] = top();
        break;
      case op::kMemoize:
        memo_[static_cast<std::uint32_t>(memo_.size())] = top();
        break;
      case op::kBinGet:
        push_memo(reader_.u8());
        break;
      case op::kLongBinGet:
        push_memo(reader_.u32());
        break;
      case op::kGlobal:
        read_global();
        break;
      case op::kStackGlobal:
        stack_global();
        break;
      case op::kTuple:
        push_tuple(pop_to_mark());
        break;
      case op::kTuple1:
        push_tuple(pop_several(1));
        break;
      case op::kTuple2:
        push_tuple(pop_several(2));
        break;
      case op::kTuple3:
        push_tuple(pop_several(3));
        break;
      case op::kBinPersistentId:
        persistent_load();
        break;
      case op::kReduce:
        reduce();
        break;
      case op::kSetItem:
        set_items(pop_several(2));
        break;
      case op::kSetItems:
        set_items(pop_to_mark());
        break;
      case op::kBuild:
        build();
        break;
      default:
        reader_.fail("pickle opcode " + op::describe(opcode) + " is not allowed in a state dict");
    }
  }

  void check_protocol(std::uint8_t protocol) {
    if (protocol < 2 || protocol > 5) reader_.fail("unsupported pickle protocol " + std::to_string(protocol));
  }

  // --- the stack -------------------------------------------------------------
  std::size_t add_node(Node node) {
    if (nodes_.size() >= kMaxPickleValues) {
      reader_.fail("pickle holds more than " + std::to_string(kMaxPickleValues) +
                   " values: not a state dict");
    }
    nodes_.push_back(std::move(node));
    return nodes_.size() - 1;
  }
  void push_new(Node node) { stack_.push_back(add_node(std::move(node))); }
  void push_integer(Kind kind, std::int64_t value) {
    Node node{kind};
    node.integer = value;
    push_new(std::move(node));
  }
  void push_string(std::uint32_t length) {
    Node node{Kind::kString};
    node.text = reader_.string(length);
    push_new(std::move(node));
  }
  void push_tuple(std::vector<std::size_t> items) {
    Node node{Kind::kTuple};
    node.items = std::move(items);
    push_new(std::move(node));
  }
  void push_memo(std::uint32_t index) {
    const auto found = memo_.find(index);
    if (found == memo_.end()) reader_.fail("memo entry " + std::to_string(index) + " was never stored");
    stack_.push_back(found->second);
  }

  // Like Python's unpickler, a pop may not reach below the latest MARK.
  std::size_t stack_floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::size_t top() {
    if (stack_.size() <= stack_floor()) reader_.fail("pickle stack underflow");
    return stack_.back();
  }
  std::size_t pop() {
    const std::size_t value = top();
    stack_.pop_back();
    return value;
  }
  std::vector<std::size_t> pop_several(std::size_t count) {
    if (stack_.size() < stack_floor() + count) reader_.fail("pickle stack underflow");
    std::vector<std::size_t> items(stack_.end() - static_cast<std::ptrdiff_t>(count), stack_.end());
    stack_.resize(stack_.size() - count);
    return items;
  }
  std::vector<std::size_t> pop_to_mark() {
    if (marks_.empty()) reader_.fail("pickle has no MARK to pop to");
    const std::size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<std::size_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
    stack_.resize(mark);
    return items;
  }
  const Node& node(std::size_t index) const { return nodes_[index]; }

  // --- values ----------------------------------------------------------------
  std::int64_t read_long1() {
    const std::uint8_t length = reader_.u8();
    if (length > 8) reader_.fail("integer of " + std::to_string(length) + " bytes is too large");
    if (length == 0) return 0;
    const std::uint8_t* bytes = reader_.bytes(length);
    std::uint64_t value = 0;
    for (std::uint8_t i = 0; i < length; ++i) value |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
    if (length < 8 && (bytes[length - 1] & 0x80)) value |= ~std::uint64_t{0} << (8 * length);  // sign-extend
    return static_cast<std::int64_t>(value);
  }

  std::string read_line() {
    std::string line;
    for (;;) {
      const char c = static_cast<char>(reader_.u8());
      if (c == '\n') return line;
      if (line.size() >= kMaxGlobalNameLength) reader_.fail("GLOBAL name is too long");
      line += c;
    }
  }

  void read_global() {
    const std::string module = read_line();  // two statements: the order matters
    const std::string name = read_line();
    push_global(module, name);
  }

  void stack_global() {
    const std::vector<std::size_t> names = pop_several(2);
    if (node(names[0]).kind != Kind::kString || node(names[1]).kind != Kind::kString) {
      reader_.fail("STACK_GLOBAL needs two strings");
    }
    push_global(node(names[0]).text, node(names[1]).text);
  }

  void push_global(const std::string& module, const std::string& name) {
    Node global{Kind::kGlobal};
    global.text = module + "." + name;
    const auto storage_class = storage_classes().find(global.text);
    if (global.text == "collections.OrderedDict") {
      global.global = AllowedGlobal::kOrderedDict;
    } else if (global.text == "torch._utils._rebuild_tensor_v2") {
      global.global = AllowedGlobal::kRebuildTensorV2;
    } else if (storage_class != storage_classes().end()) {
      global.global = AllowedGlobal::kStorageClass;
      global.storage_type = storage_class->second;
    } else {
      reader_.fail("pickle refers to global " + quote_for_message(module + " " + name) +
                   ", which a state dict never needs; refusing to load it");
    }
    push_new(std::move(global));
  }

  void set_items(const std::vector<std::size_t>& pairs) {
    const std::size_t dict = top();
    if (node(dict).kind != Kind::kDict)
      reader_.fail("SETITEM(S) on a " + std::string(kind_name(node(dict).kind)));
    if (pairs.size() % 2 != 0) reader_.fail("SETITEMS with an odd number of values");
    for (std::size_t i = 0; i < pairs.size(); i += 2) {
      if (node(pairs[i]).kind != Kind::kString) reader_.fail("dict key is not a string");
    }
    // Duplicate keys stay in the list; state_dict_entries refuses them.
    nodes_[dict].items.insert(nodes_[dict].items.end(), pairs.begin(), pairs.end());
  }

  // BUILD sets an object's state; torch.save uses it only to give the
  // OrderedDict its `_metadata` (module versions), which loading ignores.
  void build() {
    pop();
    if (node(top()).kind != Kind::kDict)
      reader_.fail("BUILD on a " + std::string(kind_name(node(top()).kind)));
  }

  void reduce() {
    const std::size_t arguments = pop();
    const std::size_t callable = pop();
    const Node& function = node(callable);
    if (node(arguments).kind != Kind::kTuple) reader_.fail("REDUCE arguments are not a tuple");
    if (function.kind != Kind::kGlobal) reader_.fail("REDUCE on a " + std::string(kind_name(function.kind)));
    if (function.global == AllowedGlobal::kOrderedDict) {
      if (!node(arguments).items.empty()) reader_.fail("OrderedDict built from arguments is not supported");
      push_new(Node{Kind::kDict});
    } else if (function.global == AllowedGlobal::kRebuildTensorV2) {
      const std::vector<std::size_t> items = node(arguments).items;  // a copy: pushing may move the arena
      push_tensor(items);
    } else {
      reader_.fail("global " + quote_for_message(function.text) + " cannot be called");
    }
  }

  // --- storages and tensors ----------------------------------------------------
  // torch.save's persistent id: ('storage', <storage class>, key, location, element count).
  void persistent_load() {
    const Node& id = node(pop());
    if (id.kind != Kind::kTuple || id.items.size() != 5 || node(id.items[0]).text != "storage" ||
        node(id.items[1]).kind != Kind::kGlobal || node(id.items[1]).global != AllowedGlobal::kStorageClass ||
        node(id.items[2]).kind != Kind::kString || node(id.items[4]).kind != Kind::kInt) {
      reader_.fail("persistent id is not a torch storage reference");
    }
    const ElementType type = node(id.items[1]).storage_type;
    const std::string key = node(id.items[2]).text;
    const std::int64_t element_count = node(id.items[4]).integer;
    for (char c : key) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
        reader_.fail("bad storage key " + quote_for_message(key));
    }
    auto cached = storage_by_key_.find(key);
    if (cached == storage_by_key_.end()) {
      StorageReference storage{type, load_storage_(key)};
      if (element_count < 0 ||
          storage.bytes->size() / element_size(type) < static_cast<std::uint64_t>(element_count)) {
        reader_.fail("storage " + quote_for_message(key) + " is shorter than the " +
                     std::to_string(element_count) + " elements its reference promises");
      }
      storages_.push_back(std::move(storage));
      cached = storage_by_key_.emplace(key, storages_.size() - 1).first;
    }
    if (storages_[cached->second].type != type)
      reader_.fail("storage " + quote_for_message(key) + " is read as two types");
    Node reference{Kind::kStorage};
    reference.integer = static_cast<std::int64_t>(cached->second);
    push_new(std::move(reference));
  }

  std::vector<std::int64_t> integer_tuple(std::size_t index, const char* what) {
    const Node& tuple = node(index);
    if (tuple.kind != Kind::kTuple) reader_.fail(std::string("tensor ") + what + " is not a tuple");
    std::vector<std::int64_t> values;
    for (std::size_t item : tuple.items) {
      if (node(item).kind != Kind::kInt) reader_.fail(std::string("tensor ") + what + " holds a non-integer");
      values.push_back(node(item).integer);
    }
    return values;
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
  // backward_hooks[, metadata]): only the view matters for loading weights.
  void push_tensor(const std::vector<std::size_t>& arguments) {
    if (arguments.size() != 6 && arguments.size() != 7)
      reader_.fail("_rebuild_tensor_v2 takes 6 or 7 arguments");
    if (node(arguments[0]).kind != Kind::kStorage || node(arguments[1]).kind != Kind::kInt) {
      reader_.fail("_rebuild_tensor_v2 needs a storage and an offset");
    }
    const StorageReference& storage = storages_[static_cast<std::size_t>(node(arguments[0]).integer)];
    TensorRecord tensor;
    tensor.type = storage.type;
    tensor.storage = storage.bytes;
    tensor.storage_offset = node(arguments[1]).integer;
    tensor.shape = integer_tuple(arguments[2], "size");
    tensor.strides = integer_tuple(arguments[3], "stride");
    if (!is_reasonable_shape(tensor.shape) || !tensor.fits_in_storage()) {
      reader_.fail("tensor view " + describe_shape(tensor.shape) + " with strides " +
                   describe_shape(tensor.strides) + " at offset " + std::to_string(tensor.storage_offset) +
                   " does not fit its storage");
    }
    tensors_.push_back(std::move(tensor));
    Node result{Kind::kTensor};
    result.integer = static_cast<std::int64_t>(tensors_.size() - 1);
    push_new(std::move(result));
  }

  std::vector<NamedTensorRecord> state_dict_entries(std::size_t result) {
    const Node& dict = node(result);
    if (dict.kind != Kind::kDict) {
      reader_.fail("the pickle holds a " + std::string(kind_name(dict.kind)) + ", not a state dict");
    }
    std::vector<NamedTensorRecord> entries;
    std::set<std::string> names;
    for (std::size_t i = 0; i < dict.items.size(); i += 2) {
      const std::string& name = node(dict.items[i]).text;
      const Node& value = node(dict.items[i + 1]);
      if (value.kind != Kind::kTensor) {
        reader_.fail("state dict entry " + quote_for_message(name) + " is a " + kind_name(value.kind) +
                     ", not a tensor");
      }
      if (!names.insert(name).second) reader_.fail("state dict names " + quote_for_message(name) + " twice");
      entries.push_back({name, tensors_[static_cast<std::size_t>(value.integer)]});
    }
    return entries;
  }

  ByteReader reader_;
  const StorageRecordLoader& load_storage_;
  std::vector<Node> nodes_;
  std::vector<std::size_t> stack_;
  std::vector<std::size_t> marks_;
  std::unordered_map<std::uint32_t, std::size_t> memo_;
  std::vector<StorageReference> storages_;
  std::map<std::string, std::size_t> storage_by_key_;
  std::vector<TensorRecord> tensors_;
};

}  // namespace

std::vector<NamedTensorRecord> unpickle_state_dict(const std::vector<std::uint8_t>& pickle,
                                                   const std::string& source,
                                                   const StorageRecordLoader& load_storage) {
  return RestrictedUnpickler(pickle, source, load_storage).run();
}

}  // namespace popsweep::nets
