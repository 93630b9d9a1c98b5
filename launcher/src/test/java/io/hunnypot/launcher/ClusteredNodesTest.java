package io.hunnypot.launcher;

import com.hazelcast.config.Config;
import io.hunnypot.config.ConfigException;
import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.testsupport.SmtpClient;
import io.hunnypot.testsupport.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Clustered nodes in this JVM, each its own Vert.x and Hazelcast member on 127.0.0.1: a
 * listener alone, a recorder with the MX monitor and the API, and a second recorder. The same
 * as separate machines, but for the process ({@link ClusterProcessesTest} has those).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusteredNodesTest {

  @TempDir
  static Path dataDir;

  private Node central;
  private Node recorder;
  private Node listener;

  @BeforeAll
  void startNodes() throws Exception {
    int centralPort = TestNodes.freePort();
    int recorderPort = TestNodes.freePort();
    int listenerPort = TestNodes.freePort();
    String database = TestDatabase.newDatabaseUrl();
    Map<String, String> common = TestNodes.environment(dataDir,
        "HUNNYPOT_CLUSTER_NAME", "test-" + UUID.randomUUID(),
        "HUNNYPOT_CLUSTER_MEMBERS", "127.0.0.1:" + centralPort + ",127.0.0.1:" + recorderPort + ",127.0.0.1:" + listenerPort,
        "HUNNYPOT_TRAP_DOMAINS", "trap.example");
    central = Node.start(config(common, "HUNNYPOT_NODE_NAME", "central", "HUNNYPOT_CLUSTER_PORT", String.valueOf(centralPort),
        "HUNNYPOT_DB_URL", database), Role.parse("recorder,mx-monitor,api"), true);
    recorder = Node.start(config(common, "HUNNYPOT_NODE_NAME", "recorder2", "HUNNYPOT_CLUSTER_PORT", String.valueOf(recorderPort),
        "HUNNYPOT_DB_URL", database), Role.parse("recorder"), true);
    listener = Node.start(config(common, "HUNNYPOT_NODE_NAME", "mx1", "HUNNYPOT_CLUSTER_PORT", String.valueOf(listenerPort)),
        Role.parse("listener"), true);
  }

  @AfterAll
  void stopNodes() throws Exception {
    for (Node node : new Node[] {listener, recorder, central}) {
      if (node != null) {
        node.close();
      }
    }
  }

  private static HunnypotConfig config(Map<String, String> common, String... more) {
    return ConfigLoader.load(Optional.empty(), TestNodes.with(common, more));
  }

  @Test
  @DisplayName("a session at a listener-only node is classified and stored by the other node, and names the listener's node")
  void sightingCrossesTheCluster() throws Exception {
    try (SmtpClient smtp = SmtpClient.connect("127.0.0.1", listener.smtpPort())) {
      assertThat(smtp.readReply().code()).isEqualTo(220);
      smtp.command("HELO across.example");
      smtp.command("MAIL FROM:<a@b.example>");
      smtp.command("RCPT TO:<x@trap.example>");
      assertThat(smtp.command("DATA").code()).isEqualTo(451);
      assertThat(smtp.command("QUIT").code()).isEqualTo(221);
    }
    JsonObject sightings = new HttpJson(central.httpPort()).await("/api/v1/sightings?limit=10",
        json -> json.getJsonArray("items").stream().anyMatch(s -> ((JsonObject) s).getString("helo").equals("across.example")));
    JsonObject sighting = sightings.getJsonArray("items").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("helo").equals("across.example")).findFirst().orElseThrow();
    assertThat(sighting.getString("node")).isEqualTo("mx1");
    assertThat(sighting.getString("class")).as("the MX monitor answered across the cluster").isEqualTo("trap-domain");
  }

  @Test
  @DisplayName("two recorder nodes share the sightings: each stores some, together every one once")
  void recordersShareTheWork() throws Exception {
    double before = stored(central) + stored(recorder);
    int sessions = 40;
    for (int i = 0; i < sessions; i++) {
      try (SmtpClient smtp = SmtpClient.connect("127.0.0.1", listener.smtpPort())) {
        smtp.readReply();
        smtp.command("HELO share-" + i + ".example");
        smtp.command("QUIT");
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (stored(central) + stored(recorder) < before + sessions && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(stored(central) + stored(recorder)).isEqualTo(before + sessions);
    assertThat(stored(central)).isPositive();
    assertThat(stored(recorder)).isPositive();
  }

  /** The node's hunnypot_recorder_sightings_stored_total, read from its own /metrics. */
  private static double stored(Node node) throws Exception {
    Matcher counter = Pattern.compile("(?m)^hunnypot_recorder_sightings_stored_total ([0-9.E]+)$")
        .matcher(new HttpJson(node.httpPort()).get("/metrics").body());
    assertThat(counter.find()).isTrue();
    return Double.parseDouble(counter.group(1));
  }

  @Test
  @DisplayName("a node with the API role tells its cluster membership in the API's /ready, beside the database")
  void apiNodeReadyShowsTheCluster() throws Exception {
    JsonObject ready = new HttpJson(central.httpPort())
        .await("/ready", json -> json.getJsonObject("cluster").getInteger("members") == 3);
    assertThat(ready.getString("status")).isEqualTo("ready");
    assertThat(ready.getString("node")).isEqualTo("central");
    assertThat(ready.getJsonObject("cluster").getBoolean("joined")).isTrue();
  }

  @Test
  @DisplayName("a listener-only node serves /ready with its cluster membership and its spool, and /metrics of its own")
  void listenerNodeStatus() throws Exception {
    HttpJson status = new HttpJson(listener.httpPort());
    JsonObject ready = status.await("/ready", json -> json.getJsonObject("cluster").getInteger("members") == 3);
    assertThat(ready.getString("status")).isEqualTo("ready");
    assertThat(ready.getString("node")).isEqualTo("mx1");
    assertThat(ready.getJsonObject("cluster").getBoolean("joined")).isTrue();
    assertThat(ready.getJsonObject("spool").fieldNames())
        .contains("sightings", "bytes", "full", "spooled", "replayed", "refused");
    assertThat(ready.getJsonObject("spool").getBoolean("full")).isFalse();

    String metrics = status.get("/metrics").body();
    assertThat(metrics).contains("hunnypot_cluster_members 3.0", "hunnypot_spool_sightings ", "hunnypot_sightings_replayed_total",
        "hunnypot_smtp_connections_refused_total{limit=\"spool-full\"}");
    assertThat(status.get("/api/v1/offenders").status()).as("no API on a listener-only node").isEqualTo(404);
    assertThat(status.get("/health").json().getString("status")).isEqualTo("up");
  }

  @Test
  @DisplayName("the Hazelcast member of the cluster.* keys: its name, TCP-IP members, no multicast or auto-detection, bound to cluster.host")
  void hazelcastFromKeys() {
    HunnypotConfig.Cluster cluster = config(Map.of(), "HUNNYPOT_CLUSTER_NAME", "prod", "HUNNYPOT_CLUSTER_MEMBERS",
        "10.0.0.1,10.0.0.2:5702", "HUNNYPOT_CLUSTER_HOST", "10.0.0.1", "HUNNYPOT_CLUSTER_PUBLIC_HOST", "192.0.2.1").cluster();
    Config hazelcast = Clustering.hazelcast(cluster);
    assertThat(hazelcast.getClusterName()).isEqualTo("prod");
    var join = hazelcast.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1", "10.0.0.2:5702");
    assertThat(hazelcast.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.1");
    assertThat(hazelcast.getNetworkConfig().getPublicAddress()).isEqualTo("192.0.2.1");
    assertThat(hazelcast.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(hazelcast.getMultiMapConfig("__vertx.subs").getValueCollectionType().name()).isEqualTo("SET");
    assertThat(Clustering.eventBus(cluster).getHost()).isEqualTo("10.0.0.1");
    assertThat(Clustering.eventBus(cluster).getClusterPublicHost()).isEqualTo("192.0.2.1");
  }

  @Test
  @DisplayName("a cluster.hazelcastConfig file that is missing or not Hazelcast's is refused, naming the key")
  void badHazelcastFile() throws IOException {
    assertThatThrownBy(() -> Clustering.hazelcast(config(Map.of(), "HUNNYPOT_CLUSTER_HAZELCAST_CONFIG", "/nonexistent.yaml").cluster()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.hazelcastConfig");
    Path bad = Files.writeString(dataDir.resolve("bad.yaml"), "hazelcast:\n  network:\n    portt: 5701\n");
    assertThatThrownBy(() -> Clustering.hazelcast(config(Map.of(), "HUNNYPOT_CLUSTER_HAZELCAST_CONFIG", bad.toString()).cluster()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.hazelcastConfig");
  }
}
