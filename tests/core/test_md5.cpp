// MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), the primitives behind POP3 APOP
// (RFC 1939 §7) and SASL CRAM-MD5 (RFC 2195).
#include <cstddef>
#include <mailwire/core/md5.hpp>
#include <random>
#include <string>
#include <string_view>

#include "catch.hpp"

namespace md5 = mailwire::md5;

namespace {

std::string hex(const md5::digest_bytes& d) {
  char out[md5::hex_size];
  return std::string(md5::to_hex(d, out));
}

std::string repeat(char c, std::size_t n) { return std::string(n, c); }

// The message whose prefixes the boundary tests hash: octet k is
// (k * 131 + 17) mod 256, so every octet value from 0x00 to 0xFF occurs.
std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t k = 0; k < n; ++k) s[k] = static_cast<char>((k * 131 + 17) & 0xFF);
  return s;
}

// HMAC keys for the key-length tests: octet k is (k * 29 + 5) mod 256.
std::string key_pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t k = 0; k < n; ++k) s[k] = static_cast<char>((k * 29 + 5) & 0xFF);
  return s;
}

// MD5 of pattern(n) for n = 0..200, produced independently of this code by
//   python3 -c 'import hashlib
//   p = bytes((k * 131 + 17) & 0xFF for k in range(200))
//   for n in range(201): print(hashlib.md5(p[:n]).hexdigest())'
constexpr std::string_view prefix_digests[] = {
    "d41d8cd98f00b204e9800998ecf8427e", "47ed733b8d10be225eceba344d533586",
    "63e46c8ca14c7cb44302d366288a94a0", "e7be5eaae34d6d1710b475ee848b97ad",
    "c2ee6208c573d544bfec85f760f4cb39", "3c219540a69866cdf1bbdeec2de52da5",
    "cc8061e588052ecd9dd0f8eefb1867e9", "e8f47c450f168465c001d816a7b17336",
    "aaec226da9543c352f9f3f888bcf4548", "7976d46ac019a883cfe753ddd10fde9c",
    "461583fa5ef4cee99403aafc3ebbf95e", "6829062d1b4741438bbb27b23f26a7ae",
    "63e536baeb131f7f4f66e89f5f7d199a", "9de93d94a29949aaef215ff42a08f06a",
    "51cca14a006f5432b2f1c5bb9d9701a5", "8230191e011f4c0604fbb8b383e49aca",
    "1808b31c56835904214b6d41b3bab894", "7bac1b55147673c1a64b7fa022935392",
    "500d497b978d75fa169c02eda74f7f75", "d19dbbb699152711ad74a69a289bf597",
    "ade190c4e97d5f8e55e71c2f06a30731", "a28423f54422957edfdb5fbae31698f9",
    "8d1ab306762b82027d43d391aacde9eb", "fdaa2b1175abb7b80bab9a06ee4b2a1e",
    "3a2abdaa25999835affcef422960d615", "2a9971ef360052db3abff60bcbae207c",
    "bc27a10fc3984e758580e0e8cf0d29c8", "eefa4abf092f3b418c56be9be75a8fe0",
    "fd4769cb4f7cc8ec8b3f64d036ecb746", "d8765022485bbcdc9ae000cc7ea2c3dd",
    "0bcf02cf20527c56f9ed91a2172b3647", "2d2b89471ceed9eab165fe7442f73a73",
    "334fb03a3499a155436e05267a1413d7", "df1839efa03f92f2da6bd11fcc25bcaf",
    "595be2f974409885befccb741f65cb3b", "e3013df2482ce0cd305ff79f685feb81",
    "777fe1be73a41b5377fed494d0308826", "34bdbfd98ece62817c0c39564270ae76",
    "a6fda62e3afab39d31d035bdd336d661", "ca4a06c9d0f3aa27d6b1be57cdcc20a7",
    "ee0509caa7a8cd8d028b6d46480a13ec", "7824d5c785dc6af04d76d7ed1ee67718",
    "8f15f594942073d01ff91c4e7cc76234", "ecb0423a328d86cf6445b5e79b9bb3e5",
    "615ab29c85d364261c92b6aff1c82d59", "492393dc69dfc771bfde8ffd172734b1",
    "690871f1fe8ad92455d79df87cccbb60", "388867e4deda35dda8f03311563e2f8c",
    "4cf53d819ae23576e0c3ed803127eab6", "cb35a0e0e9f3cc742b5af6263304543d",
    "f34f74ec1c66ba5bfdcaa6293f5c3b84", "f5c4b782521ef4439e6962820207c8df",
    "221864c1e11ed4363713beb941048971", "441b0dd2d55d5fd3f41686fb944efee9",
    "252b7a9a383b730c9d574fdbcf06d43e", "96799d8bf84d94466fb1d4785f0eae6c",
    "bf9c6bb58c938814a38d99d564393a53", "9eb14617df5fd442bf0c75940836ac23",
    "9485eb4d460fcec492c7339391464125", "c1a6061957ea953f1238d166dcc6a4f7",
    "c5559df3686170c03233d5ed9631fe96", "bc60dab3cc5830f723a9144ebca28691",
    "f1380d136925e6cb93b66a061ee4c103", "35692891f16306d06ba365a887de5dd3",
    "c99cacee8808c930ea7a2a5f79a58599", "99f97c2c46e2953fc2c2b315db172a78",
    "1e29a1c1b1d09066a41f5e5100cd4073", "b8603610b755aa57da9af6b27ee0b6dc",
    "9e52474f68181f22f94bb407eed28c96", "7174218e6b0aa586b3a57bc6022c4967",
    "dc1d615a9cdebf61968074d8686ba9d5", "12e118cf80b36eb678ff4ac23642ef03",
    "996a9e46aaf7ab1aef27d4cb522a0b86", "e0c13a474f3333d62fdf3010fd659a55",
    "1a0b6cc1152dea4f6203a8df7270af6c", "b29b1b65c49f76d3afcd3e4e954e5381",
    "609c4676edb36e23ad160d2da799bf42", "cc4af632f180d38fafa2fcecd7693081",
    "e51b2eaaba35e1a73ebb5e54a1f4ef05", "1731b22fbe90dd939d671037e3c8fc35",
    "43c16a78f07c1d5cffeffa9c4c858c7a", "1d56bf3b06fe2d99ee863e0151b461e1",
    "4f790d93b13e83b87a6c0dfc192cf07b", "35c76cf17569c01337c693ca1df50183",
    "db2d16d682b8b8021f0d27366be503ab", "8bc796b4c65514e894db3d28a7bc8bf9",
    "d42adee3560e107fc5ce9b8c91812a6c", "62b6ded62465a2236b973ea150bf23f9",
    "f507e325f502a015d4e9d3fe382585b5", "d850dbc1f2295e5406b41469b07dac2f",
    "c6aefc9399fcc938722a2a141973c9a7", "452b2af612ce0695ffbf983f4246741e",
    "ae57391dfd2349e09d0c615244a8a587", "d77108d39b1bed926a2f6277a2011d04",
    "67a66182570c0ec9533fcc90c1c04fd8", "4fa80edd62db6c22200ee5de30d8ef8e",
    "42544a95594959337586ef3c077c2962", "1fb3b18fec2ad0d4000100013b47e839",
    "69f728fcf4ee91fa892a8173530ae937", "87f2b057668048d3d74f4300821f2795",
    "e5b2db30386790a3a7657c9076d36b48", "e9f9d33967ceec20c49121e017d918b2",
    "fe6df3721b034d70045e0dc02a338241", "34a3f2a3c8ed53382b2c9c68839f2ad5",
    "dae0ed96851ced68b81e07cc60da77ab", "b2b97d5d940b69b5550d15a4a6fb8991",
    "689a3417a927f2812dbde71dad8496d1", "23b497efb3a766cf82662e5c81bc7d0d",
    "43a1df1fb32dbf6a55de1fcf4fba83d2", "871d7b2d445ac29737ad121909e205e5",
    "70a645d91049437662dbde1be9ab244c", "5f401c8f1808e638531bdfe122bd0cfe",
    "b404c9bcf89a9ffbabed3e25612ccb59", "30d1a94148a66aec0e08480ca022159f",
    "a52ddfa72b9212c3178d295a31b27743", "72b07b920df3c0ed71cb330ae840f25d",
    "0ae0729cfaf4dde569a8b26645e24518", "34ce5737d296053a632be6b694078333",
    "e6159cc4103f1f330d1d684ffde2045d", "8c8f2677f6b4338b4477d6842ca735e3",
    "788134ee3f7a478b5eaaed0c7d6965f9", "3c27de96862a8fab5949cd6f070d425c",
    "f5089a0ab486c843b8922041db1fc137", "70a98079c77ecc754e367161672e680a",
    "c2ffd2aaf2e2a5397e7427815beaf558", "da5e505775d4e5558cb681877aa08b2d",
    "fe7e3ae3a69ca67d3db8e3b2d841b645", "ae30800159a9a3dd3fa3ec647f999692",
    "11e4554b8031fd4aa009f2ca792f8989", "af698300cb8bcf22d7a903741a5c394a",
    "6d54666c3b7a7a139728d8e2714e1a09", "a1a72e3ca1d010ab7e60230a401fa582",
    "2744c905f7dcb5900f6d1892d7ce39d0", "5d9e154879ee2df0b441a7f1dd4c72af",
    "f403e5267d432c901e2bb63b3b79dba4", "e318c5fdfb0545ea3c7f05e6d8adc771",
    "2931f3cc6f5e0020c40fe096c0014d56", "b351449afe4d2fade0083a31ed969842",
    "8b0363349ff203a1678e1edc0db13ffe", "0e8a26133f0d12ae480cce564cced0f6",
    "595894e525a1f8f7056281673cc7e839", "5c4595b98da656e75cdaf6c7a13b610b",
    "790f64dcd28954f4c201197a3b8e0079", "5d1dac915d8a5801c00380ce8ebfa71a",
    "7e86fd795dc14a1040370902dbd0cb47", "c6848d87d46f0894fbb8940d227ef19e",
    "f32140ccef14867d93d579f5ed44434f", "6a1227b584160f9d36ce850397afe320",
    "075e3e8e57fc03930fd34d82af785e4d", "69c9949ae1f2ad03006d1dd482d74998",
    "9ee71579798c00f0520a12815dea67e0", "fcd4c7a7400a5fca0ed43f20a23f3519",
    "2d416f2f667c8da0b64ef41d856c5205", "0adf16c9b37ef165eb82d86086f04faf",
    "8bfa4036d0f231c42b729a36b9b56c03", "cd4cfc3a60a7046441028bab6397ad76",
    "6b8390ab501510fc29de894df003f4d2", "5e1ebfcd34a9aa6f5b049de3fa185b2f",
    "4fb81356ed8dfd4caadbe9b009c92928", "0394da10ba091edd921ebd64d7122045",
    "a58769e858ae0bf7d474d0e2328cda74", "4525170c10d51cf92a4537db28e7e029",
    "23160e31230a5dc725d11cc86e788645", "df7d468774b279862a2eef5804984e62",
    "9f36d6acf290e86704ef302f1aa40795", "02c3c12eeac6bfd2b146975564918a4c",
    "c309e61dda20fb44e410b3de4eec5add", "d6e86f44e405c3ff9a96724f0076be56",
    "05875c7dba0079fa244f1a4315506f8a", "4fae89b9c60ba9a9e378ecd3557b33e1",
    "352217e320bebe7d8bf2aea308355105", "4c830422c6ef81b62b392457a8410de8",
    "0000a3ff152cfa943a568b6f9df21021", "fdb19e00c7763fe47c1617d385d955b1",
    "f7b089d255ab05addeb3e5ad4d0af74e", "d983fbe5ab91ec2d364d84c809f51ea5",
    "23c97db5774f29802c4b042e33e57024", "159dde4710bf752ac6596f0d4948c8fe",
    "132e8032721f355d03ecb3f81cb35d37", "d141ea71e108c62c6fb299a0ac6a0038",
    "d58657992bc98f87f154f4f8d365e84c", "4ae160cededaad8058733a04cb727458",
    "b4f1df9e6580933bd7955265edae0e73", "de22cac53b231774297967d1ab8680cc",
    "2f12a9f4544c76312e7de74dc557c161", "543858f8d6e80a3a77073faf82fc8874",
    "b4d0953bdcaae243995cf20d11983806", "22d61e8c5fb7560a0bc5ca0803c15bab",
    "9d31c89e58484061b015ee532428ff4e", "eab5369a99999192d05f0d29524421c2",
    "c904e7b7d0968b454d291859993b9d8c", "f93867d376c039694bc3b89fc3c010b8",
    "296695eae0ad40a5435f065db62ec030", "c51c3aaa9ef62c43980cfc87892452ed",
    "66040fcf9447072a73fa67195295b94f", "5a2dffc50023751cfc069cff95b1c68c",
    "107ab9740e61388d57ed7eba448b33cd", "493b2e5c9728b5f384c8062b93cb1f76",
    "c5abf75e254d4c84363cf2a591b71eb4", "f989b8cded70f5d426ef2eb57531ae0a",
    "0cfc2f397fa8c44733a438f956151dd7",
};

struct keyed_digest {
  std::size_t key_size;
  std::string_view hmac;
};

// HMAC-MD5 of pattern(100) under key_pattern(key_size), produced by
//   python3 -c 'import hashlib, hmac
//   p = bytes((k * 131 + 17) & 0xFF for k in range(100))
//   for n in (0, 1, 15, 16, 63, 64, 65, 127, 128, 129):
//     k = bytes((i * 29 + 5) & 0xFF for i in range(n))
//     print(n, hmac.new(k, p, hashlib.md5).hexdigest())'
constexpr keyed_digest key_size_digests[] = {
    {0, "05b2ac30050f7807108063b1c7867ead"},   {1, "a830fc5c0f0f9d8875c98cbcdb540651"},
    {15, "c2421138af6f2bb456030fc324f6b826"},  {16, "c7fefd5a3637ffe1018bd98b6e8fac37"},
    {63, "ebbb8dafa1125f498862ee803b29b8f0"},  {64, "f3efe7dcdf911675f5e68ee84c4f9038"},
    {65, "25ede042ae9fcdc25d0bdb965d556156"},  {127, "47d98b81c1dde623e66e96a70fb67dcc"},
    {128, "e450f20ec7daf8710b6bd859fb8ff1b9"}, {129, "8a795bb5541ce6d08ba9a5941731baac"},
};

struct vector_pair {
  std::string_view message;
  std::string_view digest;
};

// RFC 1321 appendix A.5.
constexpr vector_pair rfc1321_vectors[] = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
     "57edf4a22be3c955ac49da2e2107b67a"},
};

constexpr bool hex_equals(const md5::digest_bytes& d, std::string_view expected) {
  char out[md5::hex_size] = {};
  return md5::to_hex(d, out) == expected;
}

constexpr bool digest_at_compile_time() {
  md5::context c;
  c.update("message ");
  c.update("digest");
  return hex_equals(md5::digest("abc"), "900150983cd24fb0d6963f7d28e17f72") &&
         hex_equals(c.finish(), "f96b697d7cb7938d525a2f31aaf161d0") &&
         hex_equals(md5::hmac("Jefe", "what do ya want for nothing?"),
                    "750c783e6ab0b503eaa86e310a5db738");
}

}  // namespace

static_assert(digest_at_compile_time(), "MD5 and HMAC-MD5 work in constant expressions");
static_assert(md5::digest_size == 16 && md5::block_size == 64 && md5::hex_size == 32);

TEST_CASE("md5: RFC 1321 appendix A.5 test suite", "[md5]") {
  for (const auto& v : rfc1321_vectors) {
    INFO(v.message);
    CHECK(hex(md5::digest(v.message)) == v.digest);
  }
}

TEST_CASE("md5: RFC 1321 §3.1-3.2 padding around the 55/56/64-octet boundaries", "[md5]") {
  const std::string message = pattern(200);
  for (std::size_t n = 0; n <= 200; ++n) {
    INFO("length " << n);
    CHECK(hex(md5::digest(std::string_view(message).substr(0, n))) == prefix_digests[n]);
  }
}

TEST_CASE("md5: RFC 1321 §3.4 incremental update at every split equals one-shot", "[md5]") {
  const std::string message = pattern(200);
  const std::string expected = hex(md5::digest(message));
  const std::string_view m = message;
  for (std::size_t split = 0; split <= m.size(); ++split) {
    md5::context c;
    c.update(m.substr(0, split));
    c.update(m.substr(split));
    INFO("split at " << split);
    CHECK(hex(c.finish()) == expected);
  }
}

TEST_CASE("md5: RFC 1321 §3.4 byte-by-byte and empty updates equal one-shot", "[md5]") {
  const std::string message = pattern(150);
  md5::context c;
  for (const char ch : message) {
    c.update({});
    c.update(std::string_view(&ch, 1));
  }
  CHECK(hex(c.finish()) == prefix_digests[150]);
}

TEST_CASE("md5: RFC 1321 §3.4 random splits into many pieces equal one-shot", "[md5]") {
  std::mt19937 rng(1321);
  for (int round = 0; round < 200; ++round) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(0, 200)(rng);
    const std::string message = pattern(n);
    md5::context c;
    for (std::string_view rest = message; !rest.empty();) {
      const std::size_t take = std::uniform_int_distribution<std::size_t>(0, rest.size())(rng);
      c.update(rest.substr(0, take));
      rest.remove_prefix(take);
    }
    INFO("length " << n);
    CHECK(hex(c.finish()) == prefix_digests[n]);
  }
}

TEST_CASE("md5: finish() leaves the context usable for more input", "[md5]") {
  const std::string message = pattern(130);
  md5::context c;
  for (std::size_t n = 0; n < message.size(); ++n) {
    INFO("prefix " << n);
    REQUIRE(hex(c.finish()) == prefix_digests[n]);
    c.update(std::string_view(message).substr(n, 1));
  }
  const md5::context fork = c;  // a copy continues independently
  c.update("x");
  CHECK(hex(fork.finish()) == prefix_digests[130]);
  CHECK(hex(c.finish()) != prefix_digests[130]);
}

TEST_CASE("md5: RFC 1939 §7 APOP example digest", "[md5][apop]") {
  CHECK(hex(md5::digest("<1896.697170952@dbc.mtview.ca.us>tanstaaf")) ==
        "c4c9334bac560ecc979e58001b3e22fb");
}

TEST_CASE("md5: to_hex writes exactly 32 lower-case digits", "[md5]") {
  md5::digest_bytes d{};
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = static_cast<unsigned char>(i * 17);
  char out[md5::hex_size + 2] = {'#', '#', '#', '#', '#', '#', '#', '#', '#', '#', '#', '#',
                                 '#', '#', '#', '#', '#', '#', '#', '#', '#', '#', '#', '#',
                                 '#', '#', '#', '#', '#', '#', '#', '#', '#', '#'};
  const std::string_view v = md5::to_hex(d, out + 1);
  CHECK(v == "00112233445566778899aabbccddeeff");
  CHECK(v.data() == out + 1);
  CHECK(out[0] == '#');
  CHECK(out[md5::hex_size + 1] == '#');
  md5::digest_bytes ones{};
  for (auto& b : ones) b = 0xFF;
  CHECK(md5::to_hex(ones, out) == "ffffffffffffffffffffffffffffffff");
}

struct hmac_case {
  std::string key;
  std::string data;
  std::string_view digest;
};

TEST_CASE("hmac: RFC 2202 §2 HMAC-MD5 test cases 1-7 (1-3 are RFC 2104's)", "[md5][hmac]") {
  std::string key4;
  for (int i = 1; i <= 25; ++i) key4 += static_cast<char>(i);
  const hmac_case cases[] = {
      {repeat('\x0b', 16), "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"},
      {"Jefe", "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738"},
      {repeat('\xaa', 16), repeat('\xdd', 50), "56be34521d144c88dbb8c733f0e8b3f6"},
      {key4, repeat('\xcd', 50), "697eaf0aca3a3aea3a75164746ffaa79"},
      {repeat('\x0c', 16), "Test With Truncation", "56461ef2342edc00f9bab995690efd4c"},
      {repeat('\xaa', 80), "Test Using Larger Than Block-Size Key - Hash Key First",
       "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
      {repeat('\xaa', 80),
       "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
       "6f630fad67cda0ee1fb1f562db3aa53e"},
  };
  int number = 1;
  for (const auto& c : cases) {
    INFO("RFC 2202 test case " << number++);
    CHECK(hex(md5::hmac(c.key, c.data)) == c.digest);
  }
  // Test case 5 also gives HMAC-MD5-96, the first 96 bits.
  CHECK(hex(md5::hmac(repeat('\x0c', 16), "Test With Truncation")).substr(0, 24) ==
        "56461ef2342edc00f9bab995");
}

TEST_CASE("hmac: RFC 2104 §2 keys of 0..129 octets, at and around B = 64", "[md5][hmac]") {
  const std::string message = pattern(100);
  for (const auto& v : key_size_digests) {
    INFO("key of " << v.key_size << " octets");
    CHECK(hex(md5::hmac(key_pattern(v.key_size), message)) == v.hmac);
  }
}

TEST_CASE("hmac: RFC 2104 §2 a key over 64 octets acts as its MD5 digest", "[md5][hmac]") {
  for (const std::size_t n : {65u, 80u, 129u, 1000u}) {
    const std::string key = key_pattern(n);
    const md5::digest_bytes hashed = md5::digest(key);
    const std::string hashed_key(hashed.begin(), hashed.end());
    INFO("key of " << n << " octets");
    CHECK(hex(md5::hmac(key, "data")) == hex(md5::hmac(hashed_key, "data")));
  }
  // At exactly 64 octets the key is used as it is, not hashed.
  const std::string key64 = key_pattern(64);
  const md5::digest_bytes hashed64 = md5::digest(key64);
  CHECK(hex(md5::hmac(key64, "data")) !=
        hex(md5::hmac(std::string(hashed64.begin(), hashed64.end()), "data")));
}

TEST_CASE("hmac: RFC 2104 §2 incremental update at every split equals one-shot", "[md5][hmac]") {
  const std::string message = pattern(200);
  const std::string expected = hex(md5::hmac("secret", message));
  const std::string_view m = message;
  for (std::size_t split = 0; split <= m.size(); ++split) {
    md5::hmac_context c("secret");
    c.update(m.substr(0, split));
    INFO("split at " << split);
    if (split == 100) {  // finish() in between changes nothing
      const std::string ignored = hex(c.finish());
      CHECK(ignored != expected);
    }
    c.update(m.substr(split));
    CHECK(hex(c.finish()) == expected);
  }
}

TEST_CASE("hmac: RFC 2195 §2 CRAM-MD5 example digest", "[md5][hmac]") {
  CHECK(hex(md5::hmac("tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>")) ==
        "b913a602c7eda7a495b4e6e7334d3890");
}
