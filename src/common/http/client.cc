#include "common/http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/strings.h"

namespace th::http {

namespace beast = boost::beast;

Result<ClientResponse> Get(const std::string& endpoint, const std::string& target,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           int timeout_ms) {
  std::string_view hostport = endpoint;
  if (hostport.starts_with("http://")) hostport.remove_prefix(7);
  while (hostport.ends_with("/")) hostport.remove_suffix(1);
  size_t colon = hostport.rfind(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError(th::StrCat("endpoint \"", endpoint, "\" needs host:port"));
  }
  std::string host(hostport.substr(0, colon));
  std::string port(hostport.substr(colon + 1));
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  boost::asio::ip::tcp::resolver resolver(io);
  auto results = resolver.resolve(host, port, ec);
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  if (!ec) stream.connect(results, ec);
  if (ec) return absl::UnavailableError(th::StrCat("connect ", hostport, ": ", ec.message()));
  beast::http::request<beast::http::empty_body> req{beast::http::verb::get, target, 11};
  req.set(beast::http::field::host, host);
  req.set(beast::http::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  beast::http::write(stream, req, ec);
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(256u << 20);
  if (!ec) beast::http::read(stream, buffer, parser, ec);
  if (ec == beast::error::timeout) {
    return absl::DeadlineExceededError(th::StrCat("GET ", target, ": timed out"));
  }
  if (ec) return absl::UnavailableError(th::StrCat("GET ", target, ": ", ec.message()));
  auto& res = parser.get();
  return ClientResponse{static_cast<int>(res.result_int()),
                        std::string(res[beast::http::field::content_type]), res.body()};
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace th::http
