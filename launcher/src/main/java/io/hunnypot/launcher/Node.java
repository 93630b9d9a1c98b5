package io.hunnypot.launcher;

import io.hunnypot.api.ApiVerticle;
import io.hunnypot.api.dnsbl.DnsblVerticle;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.listener.ListenerVerticle;
import io.hunnypot.mxmonitor.MxMonitorVerticle;
import io.hunnypot.recorder.RecorderVerticle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One running Hunnypot process: the roles it was asked for, deployed as verticles on one
 * Vert.x instance, and the embedded PostgreSQL when no external database is configured.
 */
public final class Node implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final Optional<EmbeddedDatabase> database;
  private ListenerVerticle listener;
  private ApiVerticle api;
  private DnsblVerticle dnsbl;
  private String listenerDeployment;

  private Node(Vertx vertx, Optional<EmbeddedDatabase> database) {
    this.vertx = vertx;
    this.database = database;
  }

  /** Starts the roles and returns once every one of them is serving; fails with the first error. */
  public static Node start(HunnypotConfig config, Set<Role> roles) throws Exception {
    Optional<EmbeddedDatabase> database = Optional.empty();
    if (config.db().embedded() && roles.stream().anyMatch(Role::needsDatabase)) {
      EmbeddedDatabase embedded = EmbeddedDatabase.start(Path.of(config.data().dir()));
      database = Optional.of(embedded);
      config = config.withDbUrl(embedded.url());
      LOG.info("Embedded PostgreSQL serving {} from {}", embedded.url(), Path.of(config.data().dir(), "postgres").toAbsolutePath());
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    Node node = new Node(vertx, database);
    try {
      await(node.deploy(config, roles, registry), START_TIMEOUT);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    LOG.info("Hunnypot node {} running {}{}{}{}", config.node().resolvedName(), roles,
        node.listener == null ? "" : "; SMTP on port " + node.listener.actualPort(),
        node.api == null ? "" : "; HTTP on port " + node.api.actualPort() + ", DNSBL on port " + node.dnsbl.actualPort(),
        roles.stream().anyMatch(Role::needsDatabase) ? "; database " + config.db().redactedUrl() : "");
    return node;
  }

  private Future<?> deploy(HunnypotConfig config, Set<Role> roles, PrometheusMeterRegistry registry) {
    Future<?> chain = Future.succeededFuture();
    for (Role role : roles) {
      chain = chain.compose(previous -> switch (role) {
        case RECORDER -> vertx.deployVerticle(new RecorderVerticle(config, registry));
        case MX_MONITOR -> vertx.deployVerticle(new MxMonitorVerticle(config, registry));
        case API -> {
          api = new ApiVerticle(config, registry);
          dnsbl = new DnsblVerticle(config, registry);
          yield vertx.deployVerticle(api).compose(deployed -> vertx.deployVerticle(dnsbl));
        }
        case LISTENER -> {
          listener = new ListenerVerticle(config, registry);
          yield vertx.deployVerticle(listener).onSuccess(id -> listenerDeployment = id);
        }
      });
    }
    return chain;
  }

  /** The SMTP port actually bound (useful with port 0). */
  public int smtpPort() {
    return listener.actualPort();
  }

  /** The HTTP port actually bound (useful with port 0). */
  public int httpPort() {
    return api.actualPort();
  }

  /** The DNSBL port actually bound, UDP and TCP (useful with port 0). */
  public int dnsblPort() {
    return dnsbl.actualPort();
  }

  /** Stops the listener first, so that open sessions end and their sightings are delivered, then the rest. */
  @Override
  public void close() throws Exception {
    try {
      if (listenerDeployment != null) {
        await(vertx.undeploy(listenerDeployment), STOP_TIMEOUT);
      }
      await(vertx.close(), STOP_TIMEOUT);
    } finally {
      if (database.isPresent()) {
        database.get().close();
      }
    }
  }

  private static void await(Future<?> future, Duration timeout) throws Exception {
    try {
      future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

}
