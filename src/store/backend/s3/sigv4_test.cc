// The signer against AWS's published examples: the four S3 header-signing examples of "Signature
// Calculations for the Authorization Header" (examplebucket, 20130524) and vectors of the SigV4
// test suite (example.amazonaws.com, 20150830T123600Z, service "service").
#include "store/backend/s3/sigv4.h"

#include <chrono>
#include <string>

#include "gtest/gtest.h"

namespace th::store::backend::s3 {
namespace {

// The S3 documentation examples' credentials (note the '/' in the secret).
constexpr std::string_view kS3Key = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kS3Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kS3Host = "examplebucket.s3.amazonaws.com";
constexpr std::string_view kS3Date = "20130524T000000Z";
// The test suite's credentials (note the '+').
constexpr std::string_view kSuiteKey = "AKIDEXAMPLE";
constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kSuiteDate = "20150830T123600Z";

SigningScope S3Scope() {
  return {.access_key = kS3Key,
          .secret_key = kS3Secret,
          .region = "us-east-1",
          .service = "s3",
          .amz_date = kS3Date};
}
SigningScope SuiteScope() {
  return {.access_key = kSuiteKey,
          .secret_key = kSuiteSecret,
          .region = "us-east-1",
          .service = "service",
          .amz_date = kSuiteDate};
}

SigningInput S3Get(std::string_view path, std::vector<Param> query, std::vector<Param> extra) {
  std::vector<Param> headers = {{"Host", std::string(kS3Host)},
                                {"x-amz-content-sha256", std::string(kEmptySha256)},
                                {"x-amz-date", std::string(kS3Date)}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return {.method = "GET",
          .path = path,
          .query = std::move(query),
          .headers = std::move(headers),
          .payload_hash = kEmptySha256};
}

SigningInput SuiteGet(std::vector<Param> query, std::vector<Param> extra = {}) {
  std::vector<Param> headers = {{"Host", "example.amazonaws.com"},
                                {"X-Amz-Date", std::string(kSuiteDate)}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return {.method = "GET",
          .path = "/",
          .query = std::move(query),
          .headers = std::move(headers),
          .payload_hash = kEmptySha256};
}

TEST(SigV4S3Examples, GetObjectWithRange) {
  SigningInput in = S3Get("/test.txt", {}, {{"Range", "bytes=0-9"}});
  EXPECT_EQ(CanonicalRequest(in),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(StringToSign(S3Scope(), CanonicalRequest(in)),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(Authorization(in, S3Scope()),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3Examples, PutObjectWithAReservedCharacterInTheKey) {
  std::string payload_hash = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigningInput in{.method = "PUT",
                  .path = "/test$file.text",
                  .headers = {{"Host", std::string(kS3Host)},
                              {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                              {"x-amz-date", std::string(kS3Date)},
                              {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                              {"x-amz-content-sha256", payload_hash}},
                  .payload_hash = payload_hash};
  EXPECT_EQ(CanonicalPath(in.path), "/test%24file.text");
  EXPECT_EQ(SignedHeaders(in.headers),
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(Signature(in, S3Scope()),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3Examples, BareSubResourceIsCanonicalisedWithAnEqualsSign) {
  SigningInput in = S3Get("/", {{"lifecycle", ""}}, {});
  EXPECT_EQ(CanonicalQuery(in.query), "lifecycle=");
  EXPECT_EQ(Signature(in, S3Scope()),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4S3Examples, ListObjectsQueryIsSorted) {
  SigningInput in = S3Get("/", {{"prefix", "J"}, {"max-keys", "2"}}, {});
  EXPECT_EQ(CanonicalQuery(in.query), "max-keys=2&prefix=J");
  EXPECT_EQ(Signature(in, S3Scope()),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4TestSuite, GetVanilla) {
  SigningInput in = SuiteGet({});
  EXPECT_EQ(CanonicalRequest(in),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(StringToSign(SuiteScope(), CanonicalRequest(in)),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(Authorization(in, SuiteScope()),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4TestSuite, GetVanillaQueryOrderKeyCase) {
  SigningInput in = SuiteGet({{"Param2", "value2"}, {"Param1", "value1"}});
  EXPECT_EQ(CanonicalQuery(in.query), "Param1=value1&Param2=value2");
  EXPECT_EQ(Signature(in, SuiteScope()),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4TestSuite, GetVanillaEmptyQueryKey) {
  EXPECT_EQ(Signature(SuiteGet({{"Param1", "value1"}}), SuiteScope()),
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb");
}

TEST(SigV4TestSuite, GetVanillaQueryOrderValue) {
  // Same name twice: sorted by value ("Value1" < "value2" bytewise).
  SigningInput in = SuiteGet({{"Param1", "value2"}, {"Param1", "Value1"}});
  EXPECT_EQ(CanonicalQuery(in.query), "Param1=Value1&Param1=value2");
  EXPECT_EQ(Signature(in, SuiteScope()),
            "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1");
}

TEST(SigV4TestSuite, RepeatedHeadersAreJoinedInOrder) {
  SigningInput order = SuiteGet({}, {{"My-Header1", "value4"},
                                     {"My-Header1", "value1"},
                                     {"My-Header1", "value3"},
                                     {"My-Header1", "value2"}});
  EXPECT_EQ(Signature(order, SuiteScope()),
            "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01");
  SigningInput dup =
      SuiteGet({}, {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}});
  EXPECT_EQ(Signature(dup, SuiteScope()),
            "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
}

TEST(SigV4Encoding, KeepsOnlyUnreservedBytes) {
  EXPECT_EQ(UriEncode("a-b_c.d~e", true), "a-b_c.d~e");
  EXPECT_EQ(UriEncode("a b+c/=é!*'()", true), "a%20b%2Bc%2F%3D%C3%A9%21%2A%27%28%29");
  EXPECT_EQ(UriEncode("a/b c", false), "a/b%20c");
  EXPECT_EQ(CanonicalPath("/traces/t/b1.x/meta.json"), "/traces/t/b1.x/meta.json");
  EXPECT_EQ(CanonicalPath("/traces/caf\xc3\xa9/a b"), "/traces/caf%C3%A9/a%20b");
  // A continuation token is opaque: '/', '+' and '=' are encoded in the query.
  EXPECT_EQ(CanonicalQuery({{"uploads", ""}, {"prefix", "a/b"}, {"list-type", "2"}}),
            "list-type=2&prefix=a%2Fb&uploads=");
  EXPECT_EQ(CanonicalQuery({{"continuation-token", "a/b+c=="}}),
            "continuation-token=a%2Fb%2Bc%3D%3D");
}

TEST(SigV4Encoding, HeaderValuesAreTrimmedAndSpacesCollapsed) {
  SigningInput in = SuiteGet({}, {{"My-Header1", "  a   b  c "}});
  EXPECT_NE(CanonicalRequest(in).find("my-header1:a b c\n"), std::string::npos);
}

TEST(SigV4Time, AmzDateIsUtc) {
  EXPECT_EQ(AmzDate(std::chrono::system_clock::from_time_t(1369353600)), kS3Date);
  EXPECT_EQ(AmzDate(std::chrono::system_clock::from_time_t(951782400)), "20000229T000000Z");
}

}  // namespace
}  // namespace th::store::backend::s3
