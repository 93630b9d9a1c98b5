package io.hunnypot.api;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** An {@link ApiVerticle} on a free port of 127.0.0.1, and a real HTTP client to call it. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
abstract class ApiTestBase {

  PrometheusMeterRegistry registry;
  WebClient client;
  int port;

  /** The admin token of the APIs these tests deploy. */
  static final String ADMIN_TOKEN = "test-admin-token";

  /** Deploys an API on a free port over {@code databaseUrl}, with a fresh registry and client. */
  Future<Void> deploy(Vertx vertx, String databaseUrl) {
    return deploy(vertx, config(databaseUrl, Map.of()));
  }

  Future<Void> deploy(Vertx vertx, HunnypotConfig config) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    client = WebClient.create(vertx);
    ApiVerticle api = new ApiVerticle(config, registry);
    return vertx.deployVerticle(api).onSuccess(id -> port = api.actualPort()).mapEmpty();
  }

  /** The API on a free port of 127.0.0.1 over {@code databaseUrl}, with {@link #ADMIN_TOKEN}, then {@code settings}. */
  static HunnypotConfig config(String databaseUrl, Map<String, String> settings) {
    Map<String, String> environment = new HashMap<>(Map.of(
        "HUNNYPOT_HTTP_HOST", "127.0.0.1",
        "HUNNYPOT_HTTP_PORT", "0",
        "HUNNYPOT_DB_URL", databaseUrl,
        "HUNNYPOT_ADMIN_TOKEN", ADMIN_TOKEN));
    environment.putAll(settings);
    return ConfigLoader.load(Optional.empty(), environment);
  }

  /** GET of {@code uri} (path and query, already encoded). */
  Future<HttpResponse<Buffer>> get(String uri) {
    return request(HttpMethod.GET, uri);
  }

  Future<HttpResponse<Buffer>> request(HttpMethod method, String uri) {
    return client.request(method, port, "127.0.0.1", uri).send();
  }
}
