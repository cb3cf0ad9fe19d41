// The server on a real socket on 127.0.0.1: keep-alive and pipelining in order, the size and
// time limits with their answers, the connection limit, the bounded password pool, and a
// graceful stop.
#include "api/server.h"

#include <thread>

#include "api/api_test_fixture.h"
#include "api/test_http_client.h"

namespace tokenledger::api::testing {
namespace {

using namespace std::chrono_literals;

class ServerTest : public ApiTest {
 protected:
  void start(ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.io_threads = 2;
    options.log_requests = false;
    Result<std::unique_ptr<Server>> server = Server::create(*api_, options);
    ASSERT_TRUE(server.is_ok()) << server.status().to_string();
    server_ = std::move(server).value();
    runner_ = std::thread([this] { run_status_ = server_->run(); });
  }

  void TearDown() override {
    stop();
    ApiTest::TearDown();
  }

  void stop() {
    if (!server_) return;  // stopped by the test
    server_->stop();
    if (runner_.joinable()) runner_.join();
    server_.reset();
    EXPECT_TRUE(run_status_.is_ok()) << run_status_.to_string();
  }

  std::uint16_t port() const { return server_->port(); }

  static std::string get(const std::string& path, const std::string& extra = {}) {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
  }

  std::unique_ptr<Server> server_;
  std::thread runner_;
  Status run_status_ = Status::ok();  // what run() answered (after runner_ joined)
};

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrderOnOneConnection) {
  start();
  TestConnection connection(port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.send(get("/healthz") + get("/no/such/path") + get("/readyz") +
                              "DELETE /tokens/self HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::vector<int> expected = {200, 404, 200, 401};
  for (int status : expected) {
    std::optional<WireResponse> response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, status) << response->head;
    EXPECT_NE(response->head.find("X-Request-Id: "), std::string::npos);
  }
  // Still open (keep-alive): one more.
  ASSERT_TRUE(connection.send(get("/healthz")));
  std::optional<WireResponse> again = connection.read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(ServerTest, OversizeHeadIs431AndOversizeBodyIs413) {
  start();
  {
    TestConnection connection(port());
    ASSERT_TRUE(connection.send(get("/healthz", "X-Big: " + std::string(20 * 1024, 'a') + "\r\n")));
    std::optional<WireResponse> response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 431);
    EXPECT_TRUE(ApiTest::valid_json(response->body));
    EXPECT_TRUE(connection.closed_within(2s));
  }
  {
    TestConnection connection(port());
    ASSERT_TRUE(
        connection.send("POST /tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                        std::string(1000, 'a')));
    std::optional<WireResponse> response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 413);
  }
  {
    TestConnection connection(port());
    ASSERT_TRUE(connection.send("NOT A REQUEST\r\n\r\n"));
    std::optional<WireResponse> response = connection.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400);
  }
}

TEST_F(ServerTest, ASlowClientIsCutOffWhileOthersAreServed) {
  ServerOptions options;
  options.request_timeout = 400ms;
  start(options);
  TestConnection slow(port());
  ASSERT_TRUE(slow.send("GET /healthz HTTP/1.1\r\nHost: "));  // and then nothing more
  TestConnection normal(port());
  ASSERT_TRUE(normal.send(get("/healthz")));
  std::optional<WireResponse> served = normal.read_response(1s);
  ASSERT_TRUE(served);
  EXPECT_EQ(served->status, 200);
  std::optional<WireResponse> cut = slow.read_response(3s);
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->status, 408);
  EXPECT_TRUE(slow.closed_within(2s));
  // An idle keep-alive connection is closed after the same time, without an answer.
  EXPECT_TRUE(normal.closed_within(3s));
}

TEST_F(ServerTest, PastTheConnectionLimitANewConnectionIsRefusedCleanly) {
  ServerOptions options;
  options.connections_max = 2;
  start(options);
  TestConnection first(port());
  TestConnection second(port());
  ASSERT_TRUE(first.send(get("/healthz")));
  ASSERT_TRUE(second.send(get("/healthz")));
  ASSERT_TRUE(first.read_response());
  ASSERT_TRUE(second.read_response());
  TestConnection third(port());
  std::optional<WireResponse> refused = third.read_response(2s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_TRUE(third.closed_within(2s));
  // The open ones keep working.
  ASSERT_TRUE(first.send(get("/healthz")));
  EXPECT_TRUE(first.read_response());
}

TEST_F(ServerTest, AFullPasswordPoolAnswers503WithRetryAfterAndReadsGoOn) {
  ServerOptions options;
  options.password_threads = 1;
  options.password_queue_max = 1;
  start(options);
  // Logins of unknown users cost one interactive argon2id check each (as much as a real one).
  const std::string form = "username=nobody%40example.com&password=xyz";
  const std::string login =
      "POST /tokens HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
      "Content-Length: " +
      std::to_string(form.size()) + "\r\n\r\n" + form;
  std::vector<std::unique_ptr<TestConnection>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<TestConnection>(port()));
    ASSERT_TRUE(clients.back()->send(login));
  }
  TestConnection reader(port());
  ASSERT_TRUE(reader.send(get("/healthz")));
  std::optional<WireResponse> read = reader.read_response(2s);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);
  int busy = 0;
  int answered = 0;
  for (auto& client : clients) {
    std::optional<WireResponse> response = client->read_response(20s);
    ASSERT_TRUE(response);
    if (response->status == 503) {
      ++busy;
      EXPECT_NE(response->head.find("Retry-After: 1"), std::string::npos);
      EXPECT_NE(response->head.find("Fastly-RateLimit-Remaining: "), std::string::npos);
    } else {
      EXPECT_EQ(response->status, 400);
      ++answered;
    }
  }
  EXPECT_GE(busy, 1);
  EXPECT_GE(answered, 1);
}

// Writes answer only once durable, without a thread waiting: many revokes at once on two I/O
// threads all succeed; then, with syncs failing, a revoke answers 503 (rate-limit headers kept)
// and is not visible afterwards, while reads go on.
TEST_F(ServerTest, WritesAnswerOnceDurableAndAFailedSyncAnswers503) {
  std::vector<std::pair<std::string, std::string>> tokens;
  for (int i = 0; i < 20; ++i) tokens.push_back(login_token("root%40example.com", "root-password"));
  const auto [victim_id, victim] = login_token("root%40example.com", "root-password");
  const std::string reader = tokens.front().second;
  start();
  const auto request = [](const std::string& method, const std::string& path,
                          const std::string& key) {
    return method + " " + path + " HTTP/1.1\r\nHost: x\r\nFastly-Key: " + key + "\r\n\r\n";
  };
  std::vector<std::unique_ptr<TestConnection>> clients;
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    clients.push_back(std::make_unique<TestConnection>(port()));
    ASSERT_TRUE(clients.back()->send(request("DELETE", "/tokens/self", tokens[i].second)));
  }
  for (auto& client : clients) {
    std::optional<WireResponse> response = client->read_response(10s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 204) << response->head;
  }
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    EXPECT_EQ(with_key(tokens[i].second, "GET", "/tokens/self").status, 401);
  }

  faults_.set_fail_syncs(true);
  TestConnection writer(port());
  ASSERT_TRUE(writer.send(request("DELETE", "/tokens/" + victim_id, reader)));
  std::optional<WireResponse> refused = writer.read_response(10s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503) << refused->head;
  EXPECT_NE(refused->head.find("Retry-After: "), std::string::npos);
  EXPECT_NE(refused->head.find("Fastly-RateLimit-Remaining: "), std::string::npos);
  TestConnection victim_reader(port());
  ASSERT_TRUE(victim_reader.send(request("GET", "/tokens/self", victim)));
  std::optional<WireResponse> still = victim_reader.read_response(10s);
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);  // the unacknowledged revoke is not visible
}

// A disk that stops answering cannot hold the shutdown: run() waits shutdown_grace for requests
// in flight and shutdown_disk_wait for the write's sync, then returns an error naming it.
TEST_F(ServerTest, StopGivesUpOnADiskThatDoesNotAnswerWithinItsBounds) {
  ServerOptions options;
  options.shutdown_grace = 200ms;
  options.shutdown_disk_wait = 300ms;
  const auto [victim_id, victim] = login_token("root%40example.com", "root-password");
  start(options);
  faults_.set_block_syncs(true);
  const int syncs_before = faults_.sync_count();
  TestConnection writer(port());
  ASSERT_TRUE(
      writer.send("DELETE /tokens/self HTTP/1.1\r\nHost: x\r\nFastly-Key: " + victim + "\r\n\r\n"));
  for (int waited_ms = 0; faults_.sync_count() == syncs_before && waited_ms < 5000;
       waited_ms += 10) {
    std::this_thread::sleep_for(10ms);  // until the revoke's sync is stuck in the disk
  }
  const auto began = std::chrono::steady_clock::now();
  server_->stop();
  runner_.join();
  const auto took = std::chrono::steady_clock::now() - began;
  EXPECT_GE(took, 450ms);  // both bounds were waited out
  EXPECT_LT(took, 5s);
  EXPECT_FALSE(run_status_.is_ok());
  EXPECT_NE(run_status_.to_string().find("writes still waiting for the disk: 1"), std::string::npos)
      << run_status_.to_string();
  // The disk answers at last: the server can be destroyed (it waits for that call-back).
  faults_.set_block_syncs(false);
  server_.reset();
}

TEST_F(ServerTest, StopClosesIdleConnectionsAndReturns) {
  start();
  TestConnection idle(port());
  ASSERT_TRUE(idle.send(get("/healthz")));
  ASSERT_TRUE(idle.read_response());
  const auto began = std::chrono::steady_clock::now();
  server_->stop();
  runner_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 5s);
  EXPECT_TRUE(idle.closed_within(1s));
  server_.reset();
}

}  // namespace
}  // namespace tokenledger::api::testing

namespace tokenledger::api::testing {
namespace {

using namespace std::chrono_literals;

class ServerAbuseTest : public ApiTest {
 protected:
  void TearDown() override {
    if (server_) server_->stop();
    if (runner_.joinable()) runner_.join();
    server_.reset();
    EXPECT_TRUE(run_status_.is_ok()) << run_status_.to_string();
    ApiTest::TearDown();
  }
  std::unique_ptr<Server> server_;
  std::thread runner_;
  Status run_status_ = Status::ok();
};

TEST_F(ServerAbuseTest, SlowLorisClientsUpToTheLimitDoNotStopOthersAndAreCutOff) {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 1;  // one thread: a client that held it would starve everyone
  options.connections_max = 10;
  options.request_timeout = 1500ms;
  options.log_requests = false;
  server_ = Server::create(*api_, options).value();
  runner_ = std::thread([this] { run_status_ = server_->run(); });
  const std::uint16_t port = server_->port();

  // Nine clients trickle a request one byte at a time and never finish it.
  std::vector<std::unique_ptr<TestConnection>> slow;
  for (int i = 0; i < 9; ++i) slow.push_back(std::make_unique<TestConnection>(port));
  const std::string trickle = "GET /tokens/self HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaa";
  for (std::size_t at = 0; at < 12; ++at) {
    for (auto& client : slow) ASSERT_TRUE(client->send(trickle.substr(at, 1)));
    std::this_thread::sleep_for(20ms);
  }
  // The tenth connection is served at once, more than once.
  TestConnection normal(port);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(normal.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::optional<WireResponse> response = normal.read_response(1s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
  }
  // Each slow client is cut off with 408 within the request timeout (plus slack).
  for (auto& client : slow) {
    std::optional<WireResponse> cut = client->read_response(5s);
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->status, 408);
  }
  for (auto& client : slow) EXPECT_TRUE(client->closed_within(3s));
  slow.clear();  // the clients hang up too, ending the server's lingering close
  // Their slots are free again (once the server has noticed the hang-ups).
  int status = 0;
  for (int attempt = 0; attempt < 40 && status != 200; ++attempt) {
    TestConnection after(port);
    ASSERT_TRUE(after.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::optional<WireResponse> served = after.read_response(2s);
    ASSERT_TRUE(served);
    status = served->status;
    if (status != 200) std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(status, 200);
}

TEST_F(ServerAbuseTest, LineBreaksInsideHeaderValuesAreRefusedAndNeverEchoed) {
  using namespace std::string_literals;
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 1;
  options.log_requests = false;
  server_ = Server::create(*api_, options).value();
  runner_ = std::thread([this] { run_status_ = server_->run(); });
  for (const std::string& attack :
       {std::string("GET /tokens/self HTTP/1.1\r\nFastly-Key: a\rSet-Cookie: x=1\r\n\r\n"),
        std::string("GET /tokens/self HTTP/1.1\r\nFastly-Key: a\nSet-Cookie: x=1\r\n\r\n"),
        std::string("GET /tokens/self\r\nSet-Cookie: x=1 HTTP/1.1\r\n\r\n"),
        "GET /tokens/self HTTP/1.1\r\nX-A: b\0c\r\n\r\n"s}) {
    TestConnection connection(server_->port());
    ASSERT_TRUE(connection.send(attack));
    std::optional<WireResponse> response = connection.read_response(2s);
    ASSERT_TRUE(response) << attack;
    EXPECT_TRUE(response->status == 400 || response->status == 401) << response->head;
    EXPECT_EQ(response->head.find("Set-Cookie"), std::string::npos) << response->head;
  }
}

// Broken request lines and chunked bodies over a real socket: each answered with its status
// (400 for what does not parse, 413 for a chunked body past the limit, 408 for one that never
// completes) and the connection closed, while a well-formed chunked request on the next
// connection is answered normally.
TEST_F(ServerAbuseTest, MalformedRequestLinesAndChunkedBodiesAreRefused) {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.io_threads = 1;
  options.log_requests = false;
  options.request_timeout = std::chrono::milliseconds(500);
  server_ = Server::create(*api_, options).value();
  runner_ = std::thread([this] { run_status_ = server_->run(); });
  const std::string chunked_head =
      "DELETE /tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string oversize = "POST /tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) oversize += "1000\r\n" + std::string(4096, 'a') + "\r\n";
  const std::vector<std::pair<std::string, int>> attacks = {
      {"GET\r\n\r\n", 400},
      {"GET /tokens/self HTTP/9.9.9\r\n\r\n", 400},
      {"\x01\x02\x03 / HTTP/1.1\r\n\r\n", 400},
      {chunked_head + "zz\r\nabc\r\n0\r\n\r\n", 400},  // size not hex
      // More data than announced: refused at once (HttpRequestParser checks the CR LF after
      // each chunk's data, which Debian's lenient http-parser does not).
      {chunked_head + "3\r\nabcdef\r\n0\r\n\r\n", 400},
      {chunked_head + "ffffffffffffffffff\r\n", 400},  // a size that overflows
      {oversize, 413},
  };
  for (const auto& [attack, status] : attacks) {
    TestConnection connection(server_->port());
    ASSERT_TRUE(connection.send(attack));
    std::optional<WireResponse> response = connection.read_response(2s);
    if (!response) {
      ADD_FAILURE() << "no answer to " << ::testing::PrintToString(attack.substr(0, 80));
      continue;
    }
    EXPECT_EQ(response->status, status) << attack.substr(0, 60) << "\n" << response->head;
    EXPECT_TRUE(connection.closed_within(2s)) << attack.substr(0, 60);
  }
  TestConnection good(server_->port());
  ASSERT_TRUE(good.send(chunked_head + "2\r\n[]\r\n0\r\n\r\n"));
  std::optional<WireResponse> answered = good.read_response(2s);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->status, 401);  // parsed, then refused for want of a key
}

}  // namespace
}  // namespace tokenledger::api::testing
