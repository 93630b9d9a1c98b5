package io.hunnypot.api;

import io.vertx.core.json.JsonObject;

/**
 * A request the API answers with an error: the status and the JSON body to send. It carries
 * no stack trace of its own, only the cause of a server-side failure, which is logged.
 */
final class ApiError extends RuntimeException {

  private final int status;
  private final JsonObject body;

  private ApiError(int status, JsonObject body, Throwable cause) {
    super(body.getString("message"), cause, false, false);
    this.status = status;
    this.body = body;
  }

  static ApiError badParameter(String parameter, String message) {
    return new ApiError(400, error("bad parameter").put("parameter", parameter).put("message", message), null);
  }

  static ApiError notFound(String message) {
    return new ApiError(404, error("not found").put("message", message), null);
  }

  static ApiError unauthorized() {
    return new ApiError(401, error("unauthorized")
        .put("message", "this call needs the header Authorization: Bearer <admin.token>"), null);
  }

  static ApiError adminDisabled() {
    return new ApiError(403, error("forbidden")
        .put("message", "the admin API is disabled: no admin.token is configured"), null);
  }

  static ApiError databaseUnavailable(Throwable cause) {
    return new ApiError(503, error("database unavailable")
        .put("message", "the database did not answer; try again later"), cause);
  }

  static JsonObject error(String error) {
    return new JsonObject().put("error", error);
  }

  int status() {
    return status;
  }

  JsonObject body() {
    return body;
  }
}
