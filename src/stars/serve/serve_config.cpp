#include "stars/serve/serve_config.h"

#include "stars/core/error.h"

namespace stars::serve {

void ServiceLimits::validate() const {
  STARS_CHECK_ARG(max_k >= 1, "limits.max_k must be >= 1, got " << max_k);
  STARS_CHECK_ARG(max_batch >= 1, "limits.max_batch must be >= 1, got " << max_batch);
  STARS_CHECK_ARG(max_events >= 1, "limits.max_events must be >= 1, got " << max_events);
  STARS_CHECK_ARG(max_filter_values >= 1, "limits.max_filter_values must be >= 1, got " << max_filter_values);
  STARS_CHECK_ARG(max_id_length >= 1, "limits.max_id_length must be >= 1, got " << max_id_length);
  STARS_CHECK_ARG(max_user_features >= 1, "limits.max_user_features must be >= 1, got " << max_user_features);
}

void PopularityOptions::validate() const {
  STARS_CHECK_ARG(new_users == "first_event" || new_users == "overall",
                  "popularity.new_users must be \"first_event\" or \"overall\", got \"" << new_users << "\"");
}

void StoreLimits::validate() const {
  STARS_CHECK_ARG(max_session_events >= 1 && max_session_events <= 100000,
                  "sessions.max_session_events must be in [1, 100000], got " << max_session_events);
  STARS_CHECK_ARG(session_ttl_s > 0, "sessions.session_ttl_s must be > 0, got " << session_ttl_s);
  STARS_CHECK_ARG(max_sessions >= 1, "sessions.max_sessions must be >= 1, got " << max_sessions);
}

void ServeConfig::validate() const {
  http.validate();
  index.validate();
  limits.validate();
  sessions.validate();
  popularity.validate();
  STARS_CHECK_ARG(context_quantum_s >= 1 && context_quantum_s <= 3600,
                  "context_quantum_s must be in [1, 3600], got " << context_quantum_s);
  STARS_CHECK_ARG(!redis_prefix.empty(), "redis_prefix is empty");
  STARS_CHECK_ARG(redis_timeout_ms >= 1, "redis_timeout_ms must be >= 1, got " << redis_timeout_ms);
  STARS_CHECK_ARG(encoder_threads >= 1, "encoder_threads must be >= 1, got " << encoder_threads);
}

}  // namespace stars::serve
