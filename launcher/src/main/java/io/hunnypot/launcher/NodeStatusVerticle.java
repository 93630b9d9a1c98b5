package io.hunnypot.launcher;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The node's own state: its cluster membership and its listener's spool, "not ready" while the
 * node is out of the cluster or the spool is full (new SMTP connections are refused then).
 * Every node answers it on {@link Addresses#NODE_STATUS}, for the API's {@code /ready}; a node
 * without the API role (a listener at an MX host, a recorder) also serves {@code /health},
 * {@code /ready} and {@code /metrics} of its own on {@code http.host} and {@code http.port}:
 * metrics are per node, so each node serves its own.
 */
final class NodeStatusVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(NodeStatusVerticle.class);
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final HunnypotConfig.Http http;
  private final String node;
  private final Set<Role> roles;
  private final PrometheusMeterRegistry registry;
  private final Optional<ClusterManager> cluster;
  private final boolean serveHttp;
  private HttpServer server;

  NodeStatusVerticle(HunnypotConfig.Http http, String node, Set<Role> roles, PrometheusMeterRegistry registry,
                     Optional<ClusterManager> cluster, boolean serveHttp) {
    this.http = http;
    this.node = node;
    this.roles = roles;
    this.registry = registry;
    this.cluster = cluster;
    this.serveHttp = serveHttp;
  }

  @Override
  public Future<?> start() {
    Future<Void> answering = vertx.eventBus().<Object>localConsumer(Addresses.NODE_STATUS, message -> message.reply(status()))
        .completion();
    if (!serveHttp) {
      return answering;
    }
    return answering.compose(registered -> vertx.createHttpServer(new HttpServerOptions().setHost(http.host()).setPort(http.port()))
        .requestHandler(this::handle)
        .listen()
        .onSuccess(listening -> {
          server = listening;
          LOG.info("node status (/health, /ready, /metrics) on {} port {}", http.host(), listening.actualPort());
        }));
  }

  int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    if (request.method() != HttpMethod.GET) {
      json(request, 405, new JsonObject().put("error", "method not allowed"));
      return;
    }
    switch (request.path()) {
      case "/health" -> json(request, 200, new JsonObject().put("status", "up"));
      case "/ready" -> ready(request);
      case "/metrics" -> request.response().putHeader("content-type", PROMETHEUS_TEXT).end(registry.scrape());
      default -> json(request, 404, new JsonObject().put("error", "not found").put("message", "this node serves /health, /ready and /metrics"));
    }
  }

  private void ready(HttpServerRequest request) {
    JsonObject status = status();
    json(request, status.getString("status").equals("ready") ? 200 : 503, status);
  }

  private JsonObject status() {
    JsonObject status = new JsonObject().put("node", node)
        .put("roles", new JsonArray(roles.stream().map(Role::optionName).toList()));
    List<String> reasons = new ArrayList<>();
    cluster.ifPresent(manager -> {
      boolean joined = manager.isActive();
      status.put("cluster", new JsonObject().put("joined", joined).put("nodeId", manager.getNodeId())
          .put("members", joined ? manager.getNodes().size() : 0));
      if (!joined) {
        reasons.add("not in the cluster");
      }
    });
    if (roles.contains(Role.LISTENER)) {
      boolean full = gauge("hunnypot.spool.full") > 0;
      status.put("spool", new JsonObject()
          .put("sightings", (long) gauge("hunnypot.spool.sightings"))
          .put("bytes", (long) gauge("hunnypot.spool.bytes"))
          .put("full", full)
          .put("spooled", count("hunnypot.sightings.spooled"))
          .put("replayed", count("hunnypot.sightings.replayed"))
          .put("refused", count("hunnypot.smtp.connections.refused", "limit", "spool-full")));
      if (full) {
        reasons.add("the spool is full: new SMTP connections are refused");
      }
    }
    status.put("status", reasons.isEmpty() ? "ready" : "not ready");
    if (!reasons.isEmpty()) {
      status.put("reasons", new JsonArray(reasons));
    }
    return status;
  }

  private double gauge(String name) {
    Gauge gauge = registry.find(name).gauge();
    return gauge == null ? 0 : gauge.value();
  }

  private long count(String name, String... tags) {
    Counter counter = registry.find(name).tags(tags).counter();
    return counter == null ? 0 : (long) counter.count();
  }

  private static void json(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
