#include "stars/semantics/openai_client.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>
#include <thread>

#include "stars/core/error.h"
#include "stars/core/log.h"
#include "stars/core/strings.h"
#include "stars/semantics/text_tokens.h"

namespace stars::semantics {
namespace {

bool retryable_status(int status) { return status == 429 || status == 408 || (status >= 500 && status <= 599); }

std::string excerpt(const std::string& body) {
  std::string s = truncate_utf8(body, 300);
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s.size() < body.size() ? s + "..." : s;
}

void set_timeout(httplib::Client& c, double seconds, bool read) {
  const time_t sec = static_cast<time_t>(seconds);
  const time_t usec = static_cast<time_t>((seconds - static_cast<double>(sec)) * 1e6);
  if (read) {
    c.set_read_timeout(sec, usec);
    c.set_write_timeout(sec, usec);
  } else {
    c.set_connection_timeout(sec, usec);
  }
}

}  // namespace

OpenAiClient::OpenAiClient(const HttpClientConfig& config, std::string where) : config_(config), where_(std::move(where)) {
  config_.validate_client(where_);
  base_url_ = config_.base_url;
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  const size_t scheme_end = base_url_.find("://") + 3;
  const size_t slash = base_url_.find('/', scheme_end);
  scheme_host_ = slash == std::string::npos ? base_url_ : base_url_.substr(0, slash);
  path_prefix_ = slash == std::string::npos ? "" : base_url_.substr(slash);
  STARS_CHECK_ARG(scheme_host_.size() > scheme_end, where_ << ".base_url has no host: '" << config_.base_url << "'");
  if (!config_.api_key_env.empty())
    if (const char* key = std::getenv(config_.api_key_env.c_str())) api_key_ = trim(key);
}

std::string OpenAiClient::scrub(const std::string& text) const {
  if (api_key_.size() < 4) return text;
  std::string out = text;
  for (size_t p = out.find(api_key_); p != std::string::npos; p = out.find(api_key_, p)) out.replace(p, api_key_.size(), "***");
  return out;
}

std::string OpenAiClient::post_json(const std::string& path, const std::string& body) const {
  const std::string url = base_url_ + path;
  httplib::Headers headers = {{"Accept", "application/json"}};
  if (!api_key_.empty()) headers.emplace("Authorization", "Bearer " + api_key_);
  thread_local std::mt19937_64 jitter_rng(std::hash<std::thread::id>()(std::this_thread::get_id()));
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  std::string last_problem;
  for (int attempt = 0;; ++attempt) {
    httplib::Client client(scheme_host_);
    set_timeout(client, config_.connect_timeout_s, false);
    set_timeout(client, config_.read_timeout_s, true);
    ++requests_;
    auto res = client.Post((path_prefix_ + path).c_str(), headers, body, "application/json");
    double retry_after = 0;
    if (res) {
      const int status = res->status;
      if (status >= 200 && status < 300) return res->body;
      const std::string msg = excerpt(scrub(res->body));
      if (!retryable_status(status)) {
        if (status == 401 || status == 403)
          STARS_THROW(kInvalidArgument, where_ << ": POST " << url << " was refused with HTTP " << status
                                               << " (check the API key in $" << config_.api_key_env
                                               << (api_key_.empty() ? ", which is not set" : "") << "): " << msg);
        if (status == 404)
          STARS_THROW(kInvalidArgument, where_ << ": POST " << url << " returned HTTP 404 (check " << where_
                                               << ".base_url, usually ending in /v1, and the model name): " << msg);
        STARS_THROW(kInvalidArgument, where_ << ": POST " << url << " returned HTTP " << status << ": " << msg);
      }
      last_problem = "HTTP " + std::to_string(status) + ": " + msg;
      if (res->has_header("Retry-After")) {
        double v = 0;
        if (parse_double(res->get_header_value("Retry-After"), &v) && v > 0) retry_after = v;
      }
    } else {
      last_problem = httplib::to_string(res.error());
      if (res.error() == httplib::Error::Read) last_problem += " (no reply within " + std::to_string(config_.read_timeout_s) + " s?)";
    }
    if (attempt >= config_.max_retries)
      STARS_THROW(kUnavailable, where_ << ": POST " << url << " failed after " << attempt + 1
                                       << " attempts; last error: " << last_problem);
    const double backoff = std::min(config_.backoff_max_s, config_.backoff_initial_s * std::pow(2.0, attempt)) * jitter(jitter_rng);
    const double delay = std::min(config_.backoff_max_s, std::max(backoff, retry_after));
    ++retries_;
    STARS_DEBUG(where_ << ": " << last_problem << "; retry " << attempt + 1 << " of " << config_.max_retries << " in "
                       << delay << " s");
    std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  }
}

}  // namespace stars::semantics
