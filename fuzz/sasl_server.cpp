// Fuzz target: the server-side SASL readers (smtp/sasl_server.hpp) against
// models written out here, and their round trips with the client writers of
// smtp/sasl.hpp.
//
// Input: two header bytes, then the payload.
//   byte 0  bits 0-1  the mechanism: PLAIN, LOGIN, XOAUTH2, CRAM-MD5
//           bit 2     the payload is the decoded message (it is base64-encoded
//                     first, so most inputs reach the field rules); otherwise
//                     it is the response text as received
//           bit 3     PLAIN: plain_options::max_field_size 8 (else 255)
//   byte 1  the buffer's capacity relative to the decoded size `need` (the
//           text's max_decoded_size when it is not base64):
//             bit 7 set    the low 7 bits, as is (0..127)
//             bit 6 set    need - (bits 0-5), at least 0
//             otherwise    need + (bits 0-5)
//
// Checked (a violation is __builtin_trap):
// - not base64 (base64::decode, fuzzed on its own, is the reference):
//   invalid_base64 whatever the capacity; base64 decoding to more than the
//   capacity: buffer_too_small; otherwise the model's verdict, error for
//   error in the documented order, and on success the model's fields;
// - every view of a result lies in the buffer, all of them empty after an
//   error; nothing past the decoded size is written;
// - decoding in place (the buffer is the text's own storage) gives the same
//   verdict and fields;
// - round trips: fields a reader accepts are written back by the client
//   writer as exactly the text read (XOAUTH2: when the scheme was sent as
//   "Bearer"; otherwise the writer's text reads back to the same fields);
//   for CRAM-MD5, write_cram_md5 over a challenge and a secret taken from
//   the payload reads back, verify_cram_md5 accepts its digest for that
//   challenge and secret and refuses it with one digit changed.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "mailwire/core/base64.hpp"
#include "mailwire/core/error.hpp"
#include "mailwire/core/output.hpp"
#include "mailwire/smtp/sasl.hpp"
#include "mailwire/smtp/sasl_server.hpp"
#include "support.hpp"

namespace {

using namespace mailwire;
namespace sasl = mailwire::smtp::sasl;

enum class mechanism { plain, login, xoauth2, cram_md5 };

// ---- models (written from the RFCs, not from the readers) -------------------

bool is_ctl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7F;
}

bool any_of(std::string_view s, bool (*pred)(char)) {
  for (const char c : s)
    if (pred(c)) return true;
  return false;
}

bool is_cr_lf(char c) { return c == '\r' || c == '\n'; }
bool is_nul_cr_lf(char c) { return c == '\0' || is_cr_lf(c); }

/// UTF-8 per RFC 3629 §4 (no overlongs, no surrogates, at most U+10FFFF).
bool utf8_ok(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto t = static_cast<unsigned char>(s[i + k]);
      if (t < (k == 1 ? lo : 0x80) || t > (k == 1 ? hi : 0xBF)) return false;
    }
    i += n + 1;
  }
  return true;
}

/// What a reader should give for the decoded message `m`: an error, or up to
/// three fields (PLAIN: authzid, authcid, password; LOGIN: value; XOAUTH2:
/// user, token; CRAM-MD5: username, digest).
struct verdict {
  errc error = errc{};
  std::string_view f[3];
};

verdict fail(errc e) {
  verdict v;
  v.error = e;
  return v;
}

verdict model_plain(std::string_view m, std::size_t max_field) {
  if (m.empty()) return fail(errc::invalid_argument);
  std::size_t nuls = 0;
  for (const char c : m) nuls += c == '\0' ? 1 : 0;
  if (nuls != 2) return fail(errc::invalid_argument);
  const std::size_t a = m.find('\0'), b = m.find('\0', a + 1);
  verdict v;
  v.f[0] = m.substr(0, a);
  v.f[1] = m.substr(a + 1, b - a - 1);
  v.f[2] = m.substr(b + 1);
  if (v.f[1].empty() || v.f[2].empty()) return fail(errc::invalid_argument);
  for (const auto f : v.f)
    if (any_of(f, is_cr_lf) || f.size() > max_field) return fail(errc::invalid_argument);
  for (const auto f : v.f)
    if (!utf8_ok(f)) return fail(errc::invalid_utf8);
  return v;
}

verdict model_login(std::string_view m) {
  if (m.empty() || any_of(m, is_nul_cr_lf)) return fail(errc::invalid_argument);
  verdict v;
  v.f[0] = m;
  return v;
}

/// RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
bool b64token(std::string_view t) {
  const auto token_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
  };
  std::size_t i = 0;
  while (i < t.size() && token_char(t[i])) ++i;
  if (i == 0) return false;
  while (i < t.size() && t[i] == '=') ++i;
  return i == t.size();
}

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

verdict model_xoauth2(std::string_view m) {
  // "user=" user ^A "auth=" "Bearer" SP token ^A ^A, user without controls.
  if (m.substr(0, 5) != "user=") return fail(errc::invalid_argument);
  const std::size_t u_end = m.find('\x01', 5);
  if (u_end == std::string_view::npos) return fail(errc::invalid_argument);
  const std::string_view after = m.substr(u_end + 1);
  if (after.size() < 14 || after.substr(0, 5) != "auth=" || !iequal(after.substr(5, 7), "bearer ") ||
      after.substr(after.size() - 2) != "\x01\x01")
    return fail(errc::invalid_argument);
  verdict v;
  v.f[0] = m.substr(5, u_end - 5);
  v.f[1] = after.substr(12, after.size() - 14);
  if (v.f[0].empty() || any_of(v.f[0], is_ctl) || !b64token(v.f[1]))
    return fail(errc::invalid_argument);
  return v;
}

verdict model_cram(std::string_view m) {
  // username SP 32 lower-case hex digits; the name without controls.
  if (m.size() < 34 || m[m.size() - 33] != ' ') return fail(errc::invalid_argument);
  verdict v;
  v.f[0] = m.substr(0, m.size() - 33);
  v.f[1] = m.substr(m.size() - 32);
  if (any_of(v.f[0], is_ctl)) return fail(errc::invalid_argument);
  for (const char c : v.f[1])
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return fail(errc::invalid_argument);
  return v;
}

verdict model(mechanism mech, std::string_view m, std::size_t max_field) {
  switch (mech) {
    case mechanism::plain: return model_plain(m, max_field);
    case mechanism::login: return model_login(m);
    case mechanism::xoauth2: return model_xoauth2(m);
    case mechanism::cram_md5: return model_cram(m);
  }
  return fail(errc::invalid_argument);
}

// ---- the readers, one shape ----------------------------------------------------

verdict read(mechanism mech, std::string_view text, char* buf, std::size_t cap,
             std::size_t max_field) {
  verdict v;
  switch (mech) {
    case mechanism::plain: {
      sasl::plain_options o;
      o.max_field_size = max_field;
      const auto r = sasl::read_plain(text, buf, cap, o);
      FUZZ_CHECK(r.ok() == (r.error == errc{}));
      v.error = r.error;
      v.f[0] = r.authzid;
      v.f[1] = r.authcid;
      v.f[2] = r.password;
      break;
    }
    case mechanism::login: {
      const auto r = sasl::read_login_field(text, buf, cap);
      FUZZ_CHECK(r.ok() == (r.error == errc{}));
      v.error = r.error;
      v.f[0] = r.value;
      break;
    }
    case mechanism::xoauth2: {
      const auto r = sasl::read_xoauth2(text, buf, cap);
      FUZZ_CHECK(r.ok() == (r.error == errc{}));
      v.error = r.error;
      v.f[0] = r.user;
      v.f[1] = r.token;
      break;
    }
    case mechanism::cram_md5: {
      const auto r = sasl::read_cram_md5(text, buf, cap);
      FUZZ_CHECK(r.ok() == (r.error == errc{}));
      v.error = r.error;
      v.f[0] = r.username;
      v.f[1] = r.digest_hex;
      break;
    }
  }
  return v;
}

void check_same(const verdict& got, const verdict& want, const char* buf, std::size_t cap) {
  FUZZ_CHECK(got.error == want.error);
  for (int k = 0; k < 3; ++k) {
    FUZZ_CHECK(got.f[k] == want.f[k]);
    if (got.error != errc{}) FUZZ_CHECK(got.f[k].empty());
    if (!got.f[k].empty()) FUZZ_CHECK(fuzz::inside(got.f[k], buf, cap));
  }
}

/// The client writer's text for accepted fields.
std::string write_back(mechanism mech, const verdict& v) {
  std::string out;
  appendable_sink<std::string> sink(out);
  errc e{};
  switch (mech) {
    case mechanism::plain: e = sasl::write_plain(sink, v.f[0], v.f[1], v.f[2]); break;
    case mechanism::login: e = sasl::write_login_username(sink, v.f[0]); break;
    case mechanism::xoauth2: e = sasl::write_xoauth2(sink, v.f[0], v.f[1]); break;
    case mechanism::cram_md5: return {};  // the digest is not an input of the writer
  }
  FUZZ_CHECK(e == errc{});
  return out;
}

void check_cram_round_trip(std::string_view payload) {
  // challenge | secret | user, cut at the first two octets 0xFF.
  const std::size_t a = payload.find('\xFF');
  const std::size_t b = a == std::string_view::npos ? a : payload.find('\xFF', a + 1);
  if (b == std::string_view::npos) return;
  const std::string_view challenge = payload.substr(0, a), secret = payload.substr(a + 1, b - a - 1),
                         user = payload.substr(b + 1);
  std::string challenge_b64(base64::encoded_size(challenge.size()), '\0');
  FUZZ_CHECK(base64::encode(challenge, challenge_b64.data(), challenge_b64.size()).ok());
  std::string response;
  appendable_sink<std::string> sink(response);
  if (sasl::write_cram_md5(sink, challenge_b64, user, secret) != errc{}) return;  // a refused name
  std::string buf(base64::max_decoded_size(response.size()), '\0');
  const auto r = sasl::read_cram_md5(response, buf.data(), buf.size());
  FUZZ_CHECK(r.ok() && r.username == user);
  FUZZ_CHECK(sasl::verify_cram_md5(challenge, secret, r.digest_hex) == !challenge.empty());
  std::string wrong(r.digest_hex);
  wrong[secret.size() % wrong.size()] ^= 1;  // another octet: a digit or no digit at all
  FUZZ_CHECK(!sasl::verify_cram_md5(challenge, secret, wrong));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t how = data[0], capb = data[1];
  const auto mech = static_cast<mechanism>(how & 3);
  const std::size_t max_field = (how & 8) != 0 ? 8 : 255;
  const std::string_view payload(reinterpret_cast<const char*>(data + 2), size - 2);

  std::string text;
  if ((how & 4) != 0) {
    text.assign(base64::encoded_size(payload.size()), '\0');
    FUZZ_CHECK(base64::encode(payload, text.data(), text.size()).ok());
  } else {
    text.assign(payload);
  }

  // The reference decoding.
  std::string message(base64::max_decoded_size(text.size()), '\0');
  const base64::result ref = base64::decode(text, message.data(), message.size());
  const bool valid = ref.ok();
  if (valid) message.resize(ref.size);
  const std::size_t need = valid ? message.size() : base64::max_decoded_size(text.size());
  std::size_t cap;
  if ((capb & 0x80) != 0)
    cap = capb & 0x7F;
  else if ((capb & 0x40) != 0)
    cap = need > (capb & 0x3Fu) ? need - (capb & 0x3Fu) : 0;
  else
    cap = need + (capb & 0x3Fu);

  verdict want;
  if (!valid)
    want = fail(errc::invalid_base64);
  else if (message.size() > cap)
    want = fail(errc::buffer_too_small);
  else
    want = model(mech, message, max_field);

  const auto block = fuzz::scribbled_block(cap);
  const verdict got = read(mech, text, block.get(), cap, max_field);
  check_same(got, want, block.get(), cap);
  if (want.error == errc{}) {
    // Decoded octets only; the fields are views of them.
    FUZZ_CHECK(std::memcmp(block.get(), message.data(), message.size()) == 0);
    FUZZ_CHECK(fuzz::untouched(block.get() + message.size(), cap - message.size()));
  } else if (want.error == errc::buffer_too_small) {
    FUZZ_CHECK(fuzz::untouched(block.get(), cap));
  }

  // In place: the text's own storage as the buffer.
  if (!text.empty()) {
    const auto own = fuzz::exact_copy(text.data(), text.size());
    const std::string_view own_text(own.get(), text.size());
    const verdict in_place = read(mech, own_text, own.get(), text.size(), max_field);
    const verdict want_in_place = valid ? model(mech, message, max_field) : want;
    check_same(in_place, want_in_place, own.get(), text.size());
  }

  if (want.error == errc{} && mech != mechanism::cram_md5) {
    const std::string back = write_back(mech, want);
    // XOAUTH2's writer spells the scheme "Bearer"; the reader takes any case.
    const std::size_t scheme = 5 + want.f[0].size() + 1 + 5;
    if (mech != mechanism::xoauth2 || message.compare(scheme, 7, "Bearer ") == 0) {
      FUZZ_CHECK(back == text);
    } else {
      std::string buf(base64::max_decoded_size(back.size()), '\0');
      const verdict again = read(mech, back, buf.data(), buf.size(), max_field);
      FUZZ_CHECK(again.error == errc{} && again.f[0] == want.f[0] && again.f[1] == want.f[1]);
    }
  }
  if (mech == mechanism::cram_md5) check_cram_round_trip(payload);
  return 0;
}
