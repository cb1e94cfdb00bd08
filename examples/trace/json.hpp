#pragma once
// Minimal JSON writing for mailwire-trace (docs/trace.md): one object per
// line. Strings carry raw protocol octets, so each octet becomes the code
// point of the same value: printable ASCII as is, everything else as \u00XX.
// The output is pure ASCII and a reader can get the exact octets back.

#include <cstdint>
#include <string>
#include <string_view>

namespace mailwire::trace {

inline void append_json_string(std::string& out, std::string_view bytes) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c >= 0x20 && c < 0x7F) {
      out += ch;
    } else {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  out += '"';
}

/// Builds one JSON object: `json_object o; o.field("k", v); line = o.close();`
class json_object {
 public:
  json_object() { text_ = "{"; }

  json_object& string(std::string_view key, std::string_view value) {
    open(key);
    append_json_string(text_, value);
    return *this;
  }
  json_object& number(std::string_view key, std::uint64_t value) {
    open(key);
    text_ += std::to_string(value);
    return *this;
  }
  json_object& boolean(std::string_view key, bool value) {
    open(key);
    text_ += value ? "true" : "false";
    return *this;
  }
  json_object& null(std::string_view key) {
    open(key);
    text_ += "null";
    return *this;
  }
  /// A value already in JSON form (a nested object).
  json_object& raw(std::string_view key, std::string_view json) {
    open(key);
    text_ += json;
    return *this;
  }
  std::string close() {
    text_ += '}';
    return std::move(text_);
  }

 private:
  void open(std::string_view key) {
    if (text_.size() > 1) text_ += ',';
    append_json_string(text_, key);
    text_ += ':';
  }
  std::string text_;
};

}  // namespace mailwire::trace
