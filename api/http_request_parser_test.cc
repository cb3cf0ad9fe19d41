#include "api/http_request_parser.h"

#include <gtest/gtest.h>

namespace tokenledger::api {
namespace {

TEST(HttpRequestParser, ParsesARequestWithHeadersAndQuery) {
  HttpRequestParser parser;
  const std::string raw =
      "GET /tokens/self?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nFastly-Key: abc\r\n\r\n";
  EXPECT_EQ(parser.feed(raw), raw.size());
  ASSERT_TRUE(parser.has_request());
  const HttpRequest request = parser.take();
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.path(), "/tokens/self");
  EXPECT_EQ(request.query(), "x=1");
  EXPECT_EQ(request.header("fastly-key"), "abc");
  EXPECT_TRUE(request.keep_alive);
  EXPECT_FALSE(parser.has_request());
}

TEST(HttpRequestParser, AcceptsARequestOneByteAtATime) {
  HttpRequestParser parser;
  const std::string raw =
      "POST /tokens HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: 7\r\n\r\nname=ci";
  for (char c : raw) {
    ASSERT_FALSE(parser.has_request());
    EXPECT_TRUE(parser.in_progress() || c == 'P');
    ASSERT_EQ(parser.feed(std::string_view(&c, 1)), 1u);
  }
  ASSERT_TRUE(parser.has_request());
  EXPECT_EQ(parser.take().body, "name=ci");
}

TEST(HttpRequestParser, PipelinedRequestsComeOutOneAtATimeInOrder) {
  HttpRequestParser parser;
  const std::string first = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string second = "DELETE /tokens/self HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string both = first + second;
  const std::size_t used = parser.feed(both);
  EXPECT_EQ(used, first.size());
  ASSERT_TRUE(parser.has_request());
  EXPECT_EQ(parser.take().target, "/a");
  EXPECT_EQ(parser.feed(std::string_view(both).substr(used)), second.size());
  ASSERT_TRUE(parser.has_request());
  const HttpRequest request = parser.take();
  EXPECT_EQ(request.method, "DELETE");
  EXPECT_FALSE(request.keep_alive);
}

TEST(HttpRequestParser, ReadsChunkedBodies) {
  HttpRequestParser parser;
  const std::string raw =
      "DELETE /tokens HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\n{\"dat\r\n3\r\na\":\r\n2\r\n[]\r\n1\r\n}\r\n0\r\n\r\n";
  EXPECT_EQ(parser.feed(raw), raw.size());
  ASSERT_TRUE(parser.has_request());
  EXPECT_EQ(parser.take().body, "{\"data\":[]}");
}

// Any split of a chunked request parses the same: the CR LF after a chunk's data may come in a
// later piece than the data.
TEST(HttpRequestParser, ReadsChunkedBodiesInPiecesOfAnySize) {
  const std::string raw =
      "DELETE /tokens HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\n{\"dat\r\n3\r\na\":\r\n2\r\n[]\r\n1\r\n}\r\n0\r\n\r\n";
  for (std::size_t piece = 1; piece <= 8; ++piece) {
    HttpRequestParser parser;
    for (std::size_t at = 0; at < raw.size() && !parser.has_request(); at += piece) {
      EXPECT_EQ(parser.feed(std::string_view(raw).substr(at, piece)),
                std::min(piece, raw.size() - at));
      ASSERT_FALSE(parser.error()) << piece << ": " << parser.error()->message;
    }
    ASSERT_TRUE(parser.has_request()) << piece;
    EXPECT_EQ(parser.take().body, "{\"data\":[]}");
  }
}

// More data than a chunk's size line announced is refused at once (Debian's lenient
// http-parser would read the excess as the next size line and wait for that many bytes).
TEST(HttpRequestParser, ChunkDataPastItsSizeIs400) {
  const std::string head = "DELETE /tokens HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& body :
       {std::string("3\r\nabcdef\r\n0\r\n\r\n"), std::string("3\r\nabc\rX0\r\n\r\n"),
        std::string("3\r\nabcX\n0\r\n\r\n")}) {
    for (std::size_t piece : {std::size_t{1}, std::size_t{2}, std::size_t{3}, body.size()}) {
      HttpRequestParser parser;
      ASSERT_EQ(parser.feed(head), head.size());
      for (std::size_t at = 0; at < body.size() && !parser.error(); at += piece) {
        parser.feed(std::string_view(body).substr(at, piece));
      }
      ASSERT_TRUE(parser.error()) << body << " in pieces of " << piece;
      EXPECT_EQ(parser.error()->status, 400);
      EXPECT_FALSE(parser.has_request());
    }
  }
}

// Trailers of a chunked request are not headers: a Fastly-Key (or any field) sent after the
// body must not be honoured as if the client had sent it up front (issue 15, item 10).
TEST(HttpRequestParser, TrailersAreIgnored) {
  const std::string raw =
      "DELETE /tokens/self HTTP/1.1\r\nTransfer-Encoding: chunked\r\nX-Up-Front: 1\r\n\r\n"
      "2\r\nab\r\n0\r\nFastly-Key: stolen\r\nContent-Type: application/json\r\n\r\n";
  for (std::size_t piece = 1; piece <= raw.size(); ++piece) {
    HttpRequestParser parser;
    for (std::size_t at = 0; at < raw.size(); at += piece) {
      parser.feed(std::string_view(raw).substr(at, piece));
    }
    ASSERT_FALSE(parser.error()) << parser.error()->message;
    ASSERT_TRUE(parser.has_request());
    const HttpRequest request = parser.take();
    EXPECT_EQ(request.body, "ab");
    EXPECT_EQ(request.header("x-up-front"), "1");
    EXPECT_FALSE(request.header("fastly-key")) << "split every " << piece << " bytes";
    EXPECT_FALSE(request.header("content-type"));
    EXPECT_EQ(request.headers.size(), 2u);  // transfer-encoding, x-up-front
  }
}

TEST(HttpRequestParser, HeadsOver16KiBAre431) {
  HttpRequestParser parser;
  const std::string raw = "GET / HTTP/1.1\r\nX-Big: " + std::string(17 * 1024, 'a') + "\r\n\r\n";
  parser.feed(raw);
  ASSERT_TRUE(parser.error());
  EXPECT_EQ(parser.error()->status, 431);
  HttpRequestParser long_target;
  long_target.feed("GET /" + std::string(17 * 1024, 'a') + " HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(long_target.error());
  EXPECT_EQ(long_target.error()->status, 431);
}

TEST(HttpRequestParser, BodiesOver64KiBAre413) {
  HttpRequestParser declared;
  declared.feed("POST /tokens HTTP/1.1\r\nContent-Length: 70000\r\n\r\n");
  ASSERT_TRUE(declared.error());
  EXPECT_EQ(declared.error()->status, 413);
  HttpRequestParser chunked;
  std::string raw = "POST /tokens HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 70; ++i) raw += "400\r\n" + std::string(1024, 'x') + "\r\n";
  chunked.feed(raw);
  ASSERT_TRUE(chunked.error());
  EXPECT_EQ(chunked.error()->status, 413);
}

TEST(HttpRequestParser, MalformedRequestsAre400) {
  for (const char* raw :
       {"GARBAGE\r\n\r\n", "GET / HTTP/9.9.9\r\n\r\n", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
        "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    HttpRequestParser parser;
    parser.feed(raw);
    ASSERT_TRUE(parser.error()) << raw;
    EXPECT_EQ(parser.error()->status, 400) << raw;
    EXPECT_FALSE(parser.has_request());
  }
}

TEST(HttpRequestParser, Http10ClosesUnlessAskedToKeepAlive) {
  HttpRequestParser parser;
  parser.feed("GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(parser.has_request());
  EXPECT_FALSE(parser.take().keep_alive);
}

}  // namespace
}  // namespace tokenledger::api
