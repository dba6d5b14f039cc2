#include "worker/data/instaloader_metadata.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "worker/data/caption_text.h"

namespace popsweep::data {
namespace {

using nlohmann::json;

// 9999-12-31T23:59:59Z: anything later is garbage, not a post date.
constexpr UnixSeconds kLatestPlausibleTime = 253402300799;

// Reads typed values out of one parsed metadata file; every error names the
// file and the dotted JSON path of the field.
class MetadataFields {
 public:
  MetadataFields(const json& root, const std::string& source) : root_(root), source_(source) {}

  // The value at a dotted path ("node.edge_liked_by.count") from `start`
  // (the document root by default); nullptr when any step is missing.
  const json* find(const std::string& dotted_path, const json* start = nullptr) const {
    const json* current = start ? start : &root_;
    size_t begin = 0;
    while (true) {
      const size_t dot = dotted_path.find('.', begin);
      const std::string key =
          dotted_path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
      if (!current->is_object()) return nullptr;
      const auto it = current->find(key);
      if (it == current->end()) return nullptr;
      current = &*it;
      if (dot == std::string::npos) return current;
      begin = dot + 1;
    }
  }

  [[noreturn]] void fail(const std::string& field, const std::string& message) const {
    throw InputError(source_, 0, field, message);
  }

  const json& require(const std::string& field) const {
    const json* value = find(field);
    if (!value) fail(field, "missing");
    return *value;
  }

  std::int64_t count(const json& value, const std::string& field) const {
    if (value.is_number_unsigned()) {
      if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        fail(field, "count too large: " + value.dump());
      }
      return static_cast<std::int64_t>(value.get<std::uint64_t>());
    }
    if (value.is_number_integer()) {
      if (value.get<std::int64_t>() < 0) fail(field, "negative count " + value.dump());
      return value.get<std::int64_t>();
    }
    fail(field, "expected a whole number, got " + describe(value));
  }

  bool flag(const json& value, const std::string& field) const {
    if (!value.is_boolean()) fail(field, "expected true or false, got " + describe(value));
    return value.get<bool>();
  }

  std::string text(const json& value, const std::string& field) const {
    if (!value.is_string() || value.get<std::string>().empty()) {
      fail(field, "expected a non-empty string, got " + describe(value));
    }
    return value.get<std::string>();
  }

  // Instaloader itself accepts fractional seconds and truncates them when it
  // formats the file name; do the same.
  UnixSeconds seconds(const json& value, const std::string& field) const {
    double as_double = 0;
    if (value.is_number_integer()) {
      as_double = value.is_number_unsigned() ? static_cast<double>(value.get<std::uint64_t>())
                                             : static_cast<double>(value.get<std::int64_t>());
    } else if (value.is_number_float()) {
      as_double = value.get<double>();
    } else {
      fail(field, "expected Unix seconds, got " + describe(value));
    }
    if (!(as_double > 0) || as_double > static_cast<double>(kLatestPlausibleTime)) {
      fail(field, "Unix time " + value.dump() + " is out of range");
    }
    return static_cast<UnixSeconds>(std::floor(as_double));
  }

 private:
  static std::string describe(const json& value) {
    if (value.is_structured()) return std::string("an ") + value.type_name();
    std::string shown = value.dump();
    if (shown.size() > 40) shown = shown.substr(0, 40) + "...";
    return shown;
  }

  const json& root_;
  const std::string& source_;
};

std::string read_shortcode(const MetadataFields& fields) {
  // Nodes built from Instagram's mobile API name it `code` (Instaloader's
  // Post.shortcode falls back the same way).
  if (fields.find("node.shortcode") || !fields.find("node.code")) {
    return fields.text(fields.require("node.shortcode"), "node.shortcode");
  }
  return fields.text(fields.require("node.code"), "node.code");
}

UnixSeconds read_posted_at(const MetadataFields& fields) {
  // Instaloader's Post.date_utc prefers `date` (mobile API) over
  // `taken_at_timestamp` (GraphQL); its file names follow the same choice.
  const std::string field = fields.find("node.date") ? "node.date" : "node.taken_at_timestamp";
  return fields.seconds(fields.require(field), field);
}

std::int64_t read_likes(const MetadataFields& fields) {
  // Older GraphQL responses carried the likes in `edge_liked_by` only.
  if (!fields.find("node.edge_media_preview_like.count") && fields.find("node.edge_liked_by.count")) {
    return fields.count(*fields.find("node.edge_liked_by.count"), "node.edge_liked_by.count");
  }
  return fields.count(fields.require("node.edge_media_preview_like.count"),
                      "node.edge_media_preview_like.count");
}

std::int64_t read_comments(const MetadataFields& fields) {
  // As Instaloader's Post.comments: `edge_media_to_comment` counts answers
  // too; the parent-only count is the fallback when it is absent.
  if (!fields.find("node.edge_media_to_comment.count") &&
      fields.find("node.edge_media_to_parent_comment.count")) {
    return fields.count(*fields.find("node.edge_media_to_parent_comment.count"),
                        "node.edge_media_to_parent_comment.count");
  }
  return fields.count(fields.require("node.edge_media_to_comment.count"), "node.edge_media_to_comment.count");
}

PostKind read_kind(const MetadataFields& fields) {
  std::string type_name = fields.text(fields.require("node.__typename"), "node.__typename");
  // Newer Instagram responses prefix the same type names with "XDT".
  if (type_name.rfind("XDT", 0) == 0) type_name = type_name.substr(3);
  if (type_name == "GraphImage") return PostKind::Image;
  if (type_name == "GraphVideo") return PostKind::Video;
  if (type_name == "GraphSidecar") return PostKind::Carousel;
  fields.fail("node.__typename", "'" + type_name + "' is not one of GraphImage, GraphVideo, GraphSidecar");
}

std::vector<bool> read_carousel_items(const MetadataFields& fields) {
  const std::string edges_field = "node.edge_sidecar_to_children.edges";
  const json& edges = fields.require(edges_field);
  if (!edges.is_array() || edges.empty())
    fields.fail(edges_field, "a carousel needs a non-empty list of items");
  std::vector<bool> is_video;
  for (size_t i = 0; i < edges.size(); ++i) {
    const std::string field = edges_field + "[" + std::to_string(i) + "].node.is_video";
    const json* value = fields.find("node.is_video", &edges[i]);
    if (!value) fields.fail(field, "missing");
    is_video.push_back(fields.flag(*value, field));
  }
  return is_video;
}

std::vector<bool> read_items(const MetadataFields& fields, PostKind kind) {
  if (kind == PostKind::Carousel) return read_carousel_items(fields);
  const bool is_video = fields.flag(fields.require("node.is_video"), "node.is_video");
  if (is_video != (kind == PostKind::Video)) {
    fields.fail("node.is_video",
                std::string(is_video ? "true" : "false") + " disagrees with node.__typename");
  }
  return {is_video};
}

// As Instaloader's Post.caption: the first edge of `edge_media_to_caption`,
// else `caption` (the mobile API's; a string, or an object with `text`).
// None of them, or null, is a post without a caption.
std::string read_caption(const MetadataFields& fields) {
  std::string field = "node.caption";
  const json* caption = fields.find(field);
  const json* edges = fields.find("node.edge_media_to_caption.edges");
  if (edges && edges->is_array() && !edges->empty()) {
    field = "node.edge_media_to_caption.edges[0].node.text";
    caption = fields.find("node.text", &(*edges)[0]);
  } else if (caption && caption->is_object()) {
    field = "node.caption.text";
    caption = fields.find(field);
  }
  if (!caption || caption->is_null()) return "";
  if (!caption->is_string()) fields.fail(field, "expected a string");
  return caption->get<std::string>();
}

json parse_json(const std::string& json_text, const std::string& source_name) {
  try {
    return json::parse(json_text);
  } catch (const json::parse_error& error) {
    throw InputError(source_name, 0, "", "not valid JSON (byte " + std::to_string(error.byte) + ")");
  } catch (const json::out_of_range&) {
    // nlohmann reports a number beyond a double's range (1e400) this way.
    throw InputError(source_name, 0, "", "not valid JSON (a number too large to represent)");
  }
}

}  // namespace

std::optional<InstaloaderPostMetadata> parse_instaloader_metadata(const std::string& json_text,
                                                                  const std::string& source_name) {
  const json root = parse_json(json_text, source_name);
  const MetadataFields fields(root, source_name);
  const json* node_type = fields.find("instaloader.node_type");
  if (!node_type || !fields.find("node")) {
    fields.fail(node_type ? "node" : "instaloader.node_type",
                "missing: not metadata written by Instaloader 4 (save_structure_to_file)");
  }
  if (fields.text(*node_type, "instaloader.node_type") != "Post") return std::nullopt;
  if (!fields.find("node")->is_object()) fields.fail("node", "expected a JSON object");

  InstaloaderPostMetadata post;
  post.shortcode = read_shortcode(fields);
  post.posted_at = read_posted_at(fields);
  post.likes = read_likes(fields);
  post.comments = read_comments(fields);
  post.kind = read_kind(fields);
  post.item_is_video = read_items(fields, post.kind);
  post.caption = normalise_caption(read_caption(fields));
  return post;
}

}  // namespace popsweep::data
