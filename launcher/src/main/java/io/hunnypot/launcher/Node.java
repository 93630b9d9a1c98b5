package io.hunnypot.launcher;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.hunnypot.api.ApiVerticle;
import io.hunnypot.api.dnsbl.DnsblVerticle;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.listener.ListenerVerticle;
import io.hunnypot.mxmonitor.MxMonitorVerticle;
import io.hunnypot.recorder.RecorderVerticle;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One running Hunnypot process: the roles it was asked for, deployed as verticles on one
 * Vert.x instance, and the embedded PostgreSQL when no external database is configured.
 * Clustered, the Vert.x instance joins the others through Hazelcast and the roles talk over
 * the clustered event bus; a node without the API role serves its own /health, /ready and
 * /metrics ({@link NodeStatusVerticle}).
 */
public final class Node implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  private final Vertx vertx;
  private final Optional<EmbeddedDatabase> database;
  private final Optional<ClusterManager> cluster;
  private ListenerVerticle listener;
  private ApiVerticle api;
  private DnsblVerticle dnsbl;
  private NodeStatusVerticle status;
  private String listenerDeployment;

  private Node(Vertx vertx, Optional<EmbeddedDatabase> database, Optional<ClusterManager> cluster) {
    this.vertx = vertx;
    this.database = database;
    this.cluster = cluster;
  }

  /** Starts the roles in this process alone, and returns once every one of them is serving; fails with the first error. */
  public static Node start(HunnypotConfig config, Set<Role> roles) throws Exception {
    return start(config, roles, false);
  }

  /** Starts the roles, joining the cluster of the {@code cluster.*} keys first when {@code clustered}. */
  public static Node start(HunnypotConfig config, Set<Role> roles, boolean clustered) throws Exception {
    Optional<EmbeddedDatabase> database = Optional.empty();
    if (config.db().embedded() && roles.stream().anyMatch(Role::needsDatabase)) {
      EmbeddedDatabase embedded = EmbeddedDatabase.start(Path.of(config.data().dir()));
      database = Optional.of(embedded);
      config = config.withDbUrl(embedded.url());
      LOG.info("Embedded PostgreSQL serving {} from {}", embedded.url(), Path.of(config.data().dir(), "postgres").toAbsolutePath());
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions()
        // Vert.x deals the verticles out to these loops in turn. On one loop, a session's hand-offs
        // between listener, MX monitor and recorder wake no other thread: measured fastest.
        .setEventLoopPoolSize(config.node().eventLoops())
        .setPreferNativeTransport(true)
        .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
            // per-connection and per-message meters cost more than the SMTP sessions they would count;
            // the listener and the recorder count sessions and sightings themselves
            .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry));
    Optional<ClusterManager> cluster = Optional.empty();
    Vertx vertx;
    try {
      if (clustered) {
        HazelcastClusterManager manager = new HazelcastClusterManager(Clustering.hazelcast(config.cluster()));
        options.setEventBusOptions(Clustering.eventBus(config.cluster()));
        vertx = await(builder.with(options).withClusterManager(manager).buildClustered(), START_TIMEOUT);
        watch(manager, registry);
        cluster = Optional.of(manager);
      } else {
        vertx = builder.with(options).build();
      }
    } catch (Exception e) {
      if (database.isPresent()) {
        database.get().close();
      }
      throw e;
    }
    if (!vertx.isNativeTransportEnabled()) {
      LOG.info("network transport: Java NIO (the native epoll transport is unavailable: {})",
          String.valueOf(vertx.unavailableNativeTransportCause()));
    }
    Node node = new Node(vertx, database, cluster);
    String name = config.node().resolvedName();
    try {
      await(node.deploy(config, name, roles, registry), START_TIMEOUT);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    database.ifPresent(EmbeddedDatabase::ownedByNode);
    LOG.info("Hunnypot node {} running {} on {}{}{}{}{}{}", name, roles, node.onNativeTransport() ? "epoll" : "NIO",
        node.listener == null ? "" : "; SMTP on port " + node.listener.actualPort(),
        node.api == null ? "" : "; DNSBL on port " + node.dnsbl.actualPort(),
        "; HTTP on port " + node.httpPort(),
        cluster.isEmpty() ? "" : "; in cluster " + config.cluster().name() + " of " + cluster.get().getNodes().size()
            + " nodes, event bus on " + config.cluster().host(),
        roles.stream().anyMatch(Role::needsDatabase) ? "; database " + config.db().redactedUrl() : "");
    return node;
  }

  /** Counts the cluster's members in the metrics, and says in the log when one joins or leaves. */
  private static void watch(HazelcastClusterManager manager, MeterRegistry registry) {
    Gauge.builder("hunnypot.cluster.members", manager, m -> m.isActive() ? m.getNodes().size() : 0)
        .description("nodes in the cluster as this node sees it, itself included; 0 when out of it")
        .register(registry);
    manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        LOG.info("cluster: {} joined; {} members", event.getMember().getAddress(), event.getMembers().size());
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        LOG.warn("cluster: {} left; {} members", event.getMember().getAddress(), event.getMembers().size());
      }
    });
  }

  /** Deploys the roles one after the other, in {@link Role} order; the verticles are built here, off the event loop. */
  private Future<?> deploy(HunnypotConfig config, String name, Set<Role> roles, PrometheusMeterRegistry registry) {
    List<Deployable> verticles = new ArrayList<>();
    for (Role role : roles) {
      switch (role) {
        case RECORDER -> verticles.add(new RecorderVerticle(config, registry));
        case MX_MONITOR -> verticles.add(new MxMonitorVerticle(config, registry));
        case API -> {
          verticles.add(api = new ApiVerticle(config, registry));
          verticles.add(dnsbl = new DnsblVerticle(config, registry));
        }
        case LISTENER -> verticles.add(listener = new ListenerVerticle(config, registry));
      }
    }
    verticles.add(status = new NodeStatusVerticle(config.http(), name, roles, registry, cluster, !roles.contains(Role.API)));
    Future<?> chain = Future.succeededFuture();
    for (Deployable verticle : verticles) {
      chain = chain.compose(previous -> vertx.deployVerticle(verticle).onSuccess(id -> {
        if (verticle == listener) {
          listenerDeployment = id;
        }
      }));
    }
    return chain;
  }

  /** Whether the node runs on Netty's native epoll transport rather than Java NIO. */
  public boolean onNativeTransport() {
    return vertx.isNativeTransportEnabled();
  }

  /** The SMTP port actually bound (useful with port 0). */
  public int smtpPort() {
    return listener.actualPort();
  }

  /** The HTTP port actually bound (useful with port 0): the API's, or else the node status's. */
  public int httpPort() {
    return api != null ? api.actualPort() : status.actualPort();
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

  private static <T> T await(Future<T> future, Duration timeout) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

}
