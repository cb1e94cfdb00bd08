// Fuzz target: the MAIL/RCPT fast path (smtp/mail_rcpt_fast_path.hpp) against
// the exact parsers.
//
// Input: byte 0 bit 0 says MAIL (else RCPT), bits 1-5 the parameter limit
// (0-31); the rest is the text after "FROM:" / "TO:", placed in its own
// exact-size heap block so that a read outside it is an ASan report.
//
// Whenever the fast path accepts, the exact route the server parser takes
// otherwise (parse_path with the MAIL/RCPT options, parse_parameters,
// check_mail/rcpt_parameters, and the SMTPUTF8 rule) must accept too and give
// the same path and the same parameter list: equal fields and views into the
// same octets. (Whether SMTPUTF8 allows a UTF-8 path is decided afterwards,
// the same way for both.) When the fast path declines it must leave the
// command alone.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mailwire/smtp/mail_rcpt_fast_path.hpp"
#include "support.hpp"

namespace {

using namespace mailwire::smtp;

bool same_view(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || a.data() == b.data());
}

// The server parser's route for a line the fast path declines; false if it
// would report an error. `consumed`: what the path used.
bool exact(std::string_view rest, bool mail, std::size_t max_parameters, command& c,
           std::size_t& consumed) {
  path_options po;
  po.allow_null = mail;
  po.allow_postmaster = !mail;
  po.utf8 = true;
  const path_result pr = parse_path(rest, po);
  if (!pr.ok()) return false;
  c.path = pr.path;
  consumed = pr.consumed;
  std::string_view params = rest.substr(pr.consumed);
  if (!params.empty()) {
    if (params.front() != ' ') return false;
    params.remove_prefix(1);
    parameter_options pao;
    pao.utf8 = true;
    pao.max_parameters = max_parameters;
    const parameter_parse_result r = parse_parameters(params, pao);
    if (!r.ok()) return false;
    c.parameters = r.list;
    const parameter_check ck =
        mail ? check_mail_parameters(c.parameters) : check_rcpt_parameters(c.parameters);
    if (!ck.ok()) return false;
  }
  return true;  // whether SMTPUTF8 allows UTF-8 is the caller's rule, the same for both
}

void check_same(const command& fast, const command& slow) {
  const path& a = fast.path;
  const path& b = slow.path;
  FUZZ_CHECK(a.kind == b.kind && a.domain_type == b.domain_type);
  FUZZ_CHECK(same_view(a.local_part, b.local_part) && same_view(a.domain, b.domain));
  FUZZ_CHECK(same_view(a.address, b.address) && same_view(a.tag, b.tag));
  FUZZ_CHECK(a.quoted == b.quoted && a.utf8 == b.utf8 && a.source_route == b.source_route);
  const parameter_list& p = fast.parameters;
  const parameter_list& q = slow.parameters;
  FUZZ_CHECK(same_view(p.text(), q.text()) && p.count() == q.count());
  FUZZ_CHECK(p.has_unknown() == q.has_unknown());
  for (int k = 0; k < static_cast<int>(parameter_kind::unknown); ++k) {
    const auto kind = static_cast<parameter_kind>(k);
    FUZZ_CHECK(p.contains(kind) == q.contains(kind) && p.position(kind) == q.position(kind));
    if (!p.contains(kind)) continue;
    const parameter x = *p.find(kind);
    const parameter y = *q.find(kind);
    FUZZ_CHECK(same_view(x.keyword, y.keyword) && same_view(x.value, y.value));
    FUZZ_CHECK(x.has_value == y.has_value && x.kind == y.kind);
  }
  // The typed reads: the fast list is marked checked (its xtext accessors
  // skip their scan), the exact one is not; both must read the same.
  const auto same_result = [](const auto& x, const auto& y) {
    return x.present == y.present && x.error == y.error;
  };
  FUZZ_CHECK(same_result(p.declared_size(), q.declared_size()) &&
             p.declared_size().value == q.declared_size().value);
  FUZZ_CHECK(same_result(p.body(), q.body()) && p.body().value == q.body().value);
  FUZZ_CHECK(same_result(p.auth(), q.auth()) && same_view(p.auth().value, q.auth().value));
  FUZZ_CHECK(same_result(p.envid(), q.envid()) && same_view(p.envid().value, q.envid().value));
  FUZZ_CHECK(same_result(p.ret(), q.ret()) && p.ret().value == q.ret().value);
  const auto nf = p.notify(), ns = q.notify();
  FUZZ_CHECK(same_result(nf, ns) && nf.value.never == ns.value.never &&
             nf.value.success == ns.value.success && nf.value.failure == ns.value.failure &&
             nf.value.delay == ns.value.delay);
  const auto of = p.orcpt(), os = q.orcpt();
  FUZZ_CHECK(same_result(of, os) && same_view(of.value.addr_type, os.value.addr_type) &&
             same_view(of.value.address, os.value.address));
  auto i = p.begin();
  auto j = q.begin();
  for (; i != p.end() && j != q.end(); ++i, ++j) {
    FUZZ_CHECK(same_view(i->keyword, j->keyword) && same_view(i->value, j->value));
    FUZZ_CHECK(i->kind == j->kind && i->has_value == j->has_value);
  }
  FUZZ_CHECK(i == p.end() && j == q.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool mail = (data[0] & 1) != 0;
  const std::size_t max_parameters = (data[0] >> 1) & 31;
  const auto text = fuzz::exact_copy(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view rest(text.get(), size - 1);

  command fast;
  fast.argument = "untouched";
  const std::size_t consumed = detail::mail_rcpt_fast_path(rest, mail, max_parameters, fast);
  if (consumed == 0) {
    FUZZ_CHECK(fast.argument == "untouched" && fast.path.kind == path_kind::null);
    FUZZ_CHECK(fast.parameters.text().data() == nullptr);
    return 0;
  }
  command slow;
  std::size_t slow_consumed = 0;
  FUZZ_CHECK(exact(rest, mail, max_parameters, slow, slow_consumed));
  FUZZ_CHECK(consumed == slow_consumed);
  check_same(fast, slow);
  return 0;
}
