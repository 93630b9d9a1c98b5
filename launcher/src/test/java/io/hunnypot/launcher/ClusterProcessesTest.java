package io.hunnypot.launcher;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static io.hunnypot.launcher.TestNodes.freePort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster as it runs on machines, in separate JVMs on 127.0.0.1: two listener nodes (the
 * second with a small spool) and a central node with the recorder, the MX monitor and the API,
 * on a PostgreSQL this test can restart. Under a steady SMTP load, one thing after another
 * fails and comes back; after each, every session a client completed is stored exactly once.
 * The tests share the cluster and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessesTest {

  /** The second listener's spool bound: small enough to fill during an outage. */
  private static final int SMALL_SPOOL = 40;
  private static final Duration OUTAGE = Duration.ofSeconds(2);
  private static final Logger LOG = LoggerFactory.getLogger(ClusterProcessesTest.class);

  @TempDir
  static Path dir;

  private int databasePort;
  private EmbeddedPostgres database;
  private NodeProcess central;
  private NodeProcess listener1;
  private NodeProcess listener2;
  private SmtpLoad load;

  @BeforeAll
  void startCluster() throws Exception {
    databasePort = freePort();
    startDatabase();
    try (Connection connection = database.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE hunnypot");
    }
    int centralCluster = freePort();
    int cluster1 = freePort();
    int cluster2 = freePort();
    int smtp1 = freePort();
    int smtp2 = freePort();
    Map<String, String> common = Map.of(
        "HUNNYPOT_CLUSTER_NAME", "processes-" + UUID.randomUUID(),
        "HUNNYPOT_CLUSTER_MEMBERS", "127.0.0.1:" + centralCluster + ",127.0.0.1:" + cluster1 + ",127.0.0.1:" + cluster2,
        "HUNNYPOT_DB_URL", "postgresql://postgres@127.0.0.1:" + databasePort + "/hunnypot",
        "HUNNYPOT_DNSBL_PORT", String.valueOf(freePort()), // see TestNodes
        "HUNNYPOT_TRAP_DOMAINS", "trap.example",
        "HUNNYPOT_SMTP_HOST", "127.0.0.1",
        "HUNNYPOT_SMTP_MAX_PER_IP", "100",
        "HUNNYPOT_SMTP_CLASSIFY_TIMEOUT_SECONDS", "2",
        "HUNNYPOT_DELIVERY_TIMEOUT_SECONDS", "2",
        "HUNNYPOT_SPOOL_REPLAY_INTERVAL_MILLIS", "200");
    central = node("central", "recorder,mx-monitor,api", common, centralCluster, 0, "HUNNYPOT_SMTP_PORT", "0");
    central.start().awaitReady(ready -> true);
    listener1 = node("mx1", "listener", common, cluster1, smtp1);
    listener2 = node("mx2", "listener", common, cluster2, smtp2, "HUNNYPOT_SPOOL_MAX_SIGHTINGS", String.valueOf(SMALL_SPOOL));
    listener1.start();
    listener2.start();
    listener1.awaitReady(inCluster(3));
    listener2.awaitReady(inCluster(3));
    load = new SmtpLoad(List.of(smtp1, smtp2), 4);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (load != null) {
      load.close();
    }
    for (NodeProcess node : new NodeProcess[] {listener1, listener2, central}) {
      if (node != null) {
        node.close();
      }
    }
    database.close();
  }

  private NodeProcess node(String name, String roles, Map<String, String> common, int clusterPort, int smtpPort, String... more) {
    int httpPort = freePort();
    Map<String, String> environment = TestNodes.with(TestNodes.with(common,
        "HUNNYPOT_CLUSTER_PORT", String.valueOf(clusterPort),
        "HUNNYPOT_HTTP_PORT", String.valueOf(httpPort),
        "HUNNYPOT_SMTP_PORT", String.valueOf(smtpPort),
        "HUNNYPOT_DATA_DIR", dir.resolve(name).toString()), more);
    return new NodeProcess(name, List.of("--cluster", "--roles", roles), environment, dir, httpPort);
  }

  @Test
  @Order(1)
  @DisplayName("the recorder's node killed with SIGKILL under load and started again: every completed session is stored exactly once")
  void recorderKilled() throws Exception {
    load.run();
    Thread.sleep(1_000);
    central.kill();
    Thread.sleep(OUTAGE.toMillis());
    central.start().awaitReady(ready -> true);
    Thread.sleep(1_000);
    load.pause();
    assertEveryCompletedSessionStoredOnce();
  }

  @Test
  @Order(2)
  @DisplayName("PostgreSQL restarted under load: every completed session is stored exactly once")
  void databaseRestarted() throws Exception {
    load.run();
    Thread.sleep(1_000);
    database.close();
    Thread.sleep(OUTAGE.toMillis());
    startDatabase();
    Thread.sleep(1_000);
    load.pause();
    assertEveryCompletedSessionStoredOnce();
  }

  @Test
  @Order(3)
  @DisplayName("a listener stopped and started again with sightings in its spool replays them: every completed session is stored exactly once")
  void listenerRestartedWithSpool() throws Exception {
    load.run();
    database.close();
    JsonObject spooled = listener1.http().await("/ready", ready -> ready.getJsonObject("spool").getLong("sightings") > 0);
    listener1.stop();
    assertThat(spooled.getJsonObject("spool").getLong("sightings")).isPositive();
    startDatabase();
    listener1.start().awaitReady(inCluster(3));
    Thread.sleep(1_000);
    load.pause();
    assertEveryCompletedSessionStoredOnce();
    assertThat(listener1.http().get("/ready").json().getJsonObject("spool").getLong("replayed"))
        .as("the restarted listener replayed what its first run spooled").isPositive();
  }

  @Test
  @Order(4)
  @DisplayName("a listener whose spool is full refuses connections with 421 and says so in /ready; none of what it accepted is lost")
  void fullSpoolRefuses() throws Exception {
    int refusedBefore = load.refused();
    load.run();
    database.close();
    HttpJson status = listener2.http();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    HttpJson.Response full;
    do {
      Thread.sleep(100);
      full = status.get("/ready");
    } while (full.status() != 503 && System.nanoTime() < deadline);
    assertThat(full.status()).isEqualTo(503);
    assertThat(full.json().getJsonArray("reasons").getString(0)).contains("spool is full");
    assertThat(full.json().getJsonObject("spool").getLong("sightings")).isGreaterThanOrEqualTo(SMALL_SPOOL);
    Thread.sleep(500);
    assertThat(load.refused()).as("clients got 421").isGreaterThan(refusedBefore);
    assertThat(status.get("/metrics").body()).containsPattern("hunnypot_smtp_connections_refused_total\\{limit=\"spool-full\"} [1-9]");
    startDatabase();
    Thread.sleep(1_000);
    load.pause();
    assertEveryCompletedSessionStoredOnce();
    listener2.awaitReady(ready -> !ready.getJsonObject("spool").getBoolean("full"));
  }

  /** Waits until every session a client completed has its sighting, then checks that none is there twice. */
  private void assertEveryCompletedSessionStoredOnce() throws Exception {
    Set<String> completed = load.completed();
    assertThat(completed).isNotEmpty();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Map<String, Integer> stored = storedSessions();
    while (!stored.keySet().containsAll(completed) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      stored = storedSessions();
    }
    Map<String, Integer> finalStored = stored;
    assertThat(completed).as("completed sessions without a sighting")
        .allSatisfy(helo -> assertThat(finalStored).containsKey(helo));
    assertThat(stored).as("sessions stored more than once").allSatisfy((helo, count) -> assertThat(count).isEqualTo(1));
    LOG.info("{} sessions completed so far ({} connections refused with 421), each stored once", completed.size(), load.refused());
  }

  /** Each load session's HELO name, and how many sightings have it. */
  private Map<String, Integer> storedSessions() throws SQLException {
    Map<String, Integer> stored = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + databasePort + "/hunnypot?user=postgres");
         Statement statement = connection.createStatement();
         ResultSet rows = statement.executeQuery("SELECT helo, count(*) FROM sightings WHERE helo LIKE 'load-%' GROUP BY helo")) {
      while (rows.next()) {
        stored.put(rows.getString(1), rows.getInt(2));
      }
    }
    return stored;
  }

  /** A real PostgreSQL whose files outlive a stop, on a fixed port, committing synchronously like a production server. */
  private void startDatabase() throws IOException {
    database = EmbeddedPostgres.builder()
        .setDataDirectory(dir.resolve("postgres"))
        .setCleanDataDirectory(false)
        .setPort(databasePort)
        .setServerConfig("synchronous_commit", "on")
        .start();
  }

  private static Predicate<JsonObject> inCluster(int members) {
    return ready -> ready.getJsonObject("cluster").getInteger("members") == members;
  }
}
