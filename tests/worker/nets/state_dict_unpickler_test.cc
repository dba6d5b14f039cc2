// The restricted unpickler (M13: torchvision's state dict loads as is; weight
// files are untrusted): it rebuilds tensor views from a state dict pickle,
// and refuses any global outside its allow-list, any other opcode, and any
// truncated or inconsistent pickle with an error, never a crash.
#include "worker/nets/state_dict_unpickler.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/error.h"

namespace popsweep::nets {
namespace {

std::string binunicode(const std::string& text) {
  std::string encoded = "X";
  for (int i = 0; i < 4; ++i) encoded += static_cast<char>((text.size() >> (8 * i)) & 0xFF);
  return encoded + text;
}

std::string global(const std::string& module, const std::string& name) {
  return "c" + module + "\n" + name + "\n";
}

const std::string kOrderedDict = global("collections", "OrderedDict") + ")R";

// ('storage', torch.FloatStorage, key, 'cpu', elements) as BINPERSID.
std::string storage_reference(const std::string& key, int elements,
                              const std::string& type = "FloatStorage") {
  return "(" + binunicode("storage") + global("torch", type) + binunicode(key) + binunicode("cpu") + "K" +
         static_cast<char>(elements) + "tQ";
}

// _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())
std::string tensor(const std::string& storage, int offset, const std::string& size,
                   const std::string& stride) {
  return global("torch._utils", "_rebuild_tensor_v2") + "(" + storage + "K" + static_cast<char>(offset) +
         size + stride + "\x89" + kOrderedDict + "tR";
}

std::string pickle_of(const std::string& body) { return "\x80\x02" + kOrderedDict + "(" + body + "u."; }

// Storage "0": the floats 0, 1, ..., 5.
std::shared_ptr<const std::vector<std::uint8_t>> six_floats() {
  std::vector<std::uint8_t> bytes(6 * sizeof(float));
  for (int i = 0; i < 6; ++i) {
    const float value = static_cast<float>(i);
    std::memcpy(bytes.data() + i * sizeof(float), &value, sizeof value);
  }
  return std::make_shared<const std::vector<std::uint8_t>>(std::move(bytes));
}

std::vector<NamedTensorRecord> unpickle(const std::string& pickle, int* loads = nullptr) {
  const std::vector<std::uint8_t> bytes(pickle.begin(), pickle.end());
  return unpickle_state_dict(bytes, "test.pkl", [&](const std::string& key) {
    if (loads) ++*loads;
    if (key != "0") throw InputError("test.pkl", 0, "", "no storage " + key);
    return six_floats();
  });
}

std::string error_of(const std::string& pickle) {
  try {
    unpickle(pickle);
  } catch (const InputError& error) {
    return error.what();
  }
  return "no error";
}

TEST(NetsStateDictUnpickler, RebuildsViewsSharingOneStorage) {
  // Memo slot 5 must hold the storage for the second view's BINGET.
  std::string pickle = "\x80\x02" + kOrderedDict + "(" + binunicode("w") +
                       global("torch._utils", "_rebuild_tensor_v2") + "(" + storage_reference("0", 6) +
                       "q\x05" + "K\x01" + "K\x02K\x02\x86" + "K\x01K\x02\x86" + "\x89" + kOrderedDict +
                       "tR" + binunicode("b") + tensor("h\x05", 5, "K\x01\x85", "K\x01\x85") + "u.";
  int loads = 0;
  const std::vector<NamedTensorRecord> tensors = unpickle(pickle, &loads);
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(tensors[0].name, "w");
  EXPECT_EQ(tensors[0].tensor.shape, (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(tensors[0].tensor.strides, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(tensors[0].tensor.storage_offset, 1);
  std::vector<float> values(4);
  const std::vector<std::uint8_t> bytes = tensors[0].tensor.contiguous_bytes();
  std::memcpy(values.data(), bytes.data(), bytes.size());
  EXPECT_EQ(values, (std::vector<float>{1, 3, 2, 4}));
  EXPECT_EQ(tensors[1].name, "b");
  EXPECT_EQ(tensors[1].tensor.storage, tensors[0].tensor.storage);
}

TEST(NetsStateDictUnpickler, RefusesGlobalsOutsideTheAllowList) {
  const std::string call_system = "\x80\x02" + global("os", "system") + binunicode("echo pwned") + "\x85R.";
  const std::string message = error_of(call_system);
  EXPECT_NE(message.find("'os system'"), std::string::npos) << message;
  EXPECT_NE(message.find("refusing"), std::string::npos) << message;
  // Allowed names cannot be reached through STACK_GLOBAL either.
  const std::string stacked = "\x80\x04" + binunicode("builtins") + binunicode("eval") + "\x93" + ".";
  EXPECT_NE(error_of(stacked).find("'builtins eval'"), std::string::npos);
}

TEST(NetsStateDictUnpickler, RefusesOpcodesAStateDictNeverUses) {
  const std::string message = error_of("\x80\x02(ios\nsystem\n.");
  EXPECT_NE(message.find("INST (0x69)"), std::string::npos) << message;
  EXPECT_NE(error_of("\x80\x02]."), "no error");  // EMPTY_LIST
}

TEST(NetsStateDictUnpickler, RefusesCallingAStorageClass) {
  EXPECT_NE(error_of("\x80\x02" + global("torch", "FloatStorage") + ")R.").find("cannot be called"),
            std::string::npos);
}

TEST(NetsStateDictUnpickler, RefusesViewsReachingPastTheirStorage) {
  const std::string message = error_of(
      pickle_of(binunicode("w") + tensor(storage_reference("0", 6), 3, "K\x02K\x02\x86", "K\x02K\x01\x86")));
  EXPECT_NE(message.find("does not fit"), std::string::npos) << message;
  // The reference promises more elements than the record holds.
  EXPECT_NE(
      error_of(pickle_of(binunicode("w") + tensor(storage_reference("0", 7), 0, "K\x01\x85", "K\x01\x85")))
          .find("shorter"),
      std::string::npos);
}

TEST(NetsStateDictUnpickler, RefusesNonTensorEntriesAndDuplicates) {
  EXPECT_NE(error_of(pickle_of(binunicode("x") + "K\x01")).find("'x' is a int"), std::string::npos);
  const std::string entry = binunicode("w") + tensor(storage_reference("0", 6), 0, "K\x01\x85", "K\x01\x85");
  EXPECT_NE(error_of(pickle_of(entry + entry)).find("twice"), std::string::npos);
}

TEST(NetsStateDictUnpickler, StackAndMemoMistakesAreErrors) {
  EXPECT_NE(error_of("\x80\x02R."), "no error");           // REDUCE on an empty stack
  EXPECT_NE(error_of("\x80\x02h\x07."), "no error");       // BINGET of a slot never stored
  EXPECT_NE(error_of("\x80\x02(K\x01\x86."), "no error");  // TUPLE2 may not pop across a MARK
  EXPECT_NE(error_of("\x80\x02K\x01(R."), "no error");     // REDUCE may not pop across a MARK
  EXPECT_NE(error_of("\x80\x09}."), "no error");           // unknown protocol
  EXPECT_NE(error_of("\x80\x02K\x01."), "no error");       // not a dict
}

// Hostile input (issue 9): a 25 MB pickle of one-byte NONE opcodes made the
// unpickler allocate 2.5 GB (libFuzzer's malloc limit reported it). Values
// are now capped at kMaxPickleValues.
TEST(NetsStateDictUnpickler, MoreValuesThanTheCapAreRefused) {
  const std::string nones(kMaxPickleValues + 1, 'N');
  const std::string message = error_of("\x80\x02" + nones + ".");
  EXPECT_NE(message.find("more than " + std::to_string(kMaxPickleValues) + " values"), std::string::npos)
      << message;
}

TEST(NetsStateDictUnpickler, EveryTruncationIsAnErrorNotACrash) {
  std::string pickle =
      pickle_of(binunicode("w") + tensor(storage_reference("0", 6), 1, "K\x02K\x02\x86", "K\x01K\x02\x86"));
  ASSERT_EQ(unpickle(pickle).size(), 1u);
  for (std::size_t length = 0; length < pickle.size(); ++length) {
    EXPECT_THROW(unpickle(pickle.substr(0, length)), InputError) << "cut at " << length;
  }
}

}  // namespace
}  // namespace popsweep::nets
