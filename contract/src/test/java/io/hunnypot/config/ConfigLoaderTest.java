package io.hunnypot.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  @Test
  @DisplayName("with no file and no environment, the defaults are the original's limits")
  void defaultsAreTheOriginalLimits() {
    HunnypotConfig config = ConfigLoader.load(Optional.empty(), Map.of());
    assertThat(config.smtp().port()).isEqualTo(2525);
    assertThat(config.smtp().maxConnections()).isEqualTo(20);
    assertThat(config.smtp().maxPerIp()).isEqualTo(3);
    assertThat(config.smtp().idleTimeoutSeconds()).isEqualTo(30);
    assertThat(config.smtp().maxBytes()).isEqualTo(1024);
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.data().dir()).isEqualTo("./data");
    assertThat(config.db().embedded()).isTrue();
    assertThat(config.trap().domains()).isEmpty();
    assertThat(config.listing().days()).isEqualTo(7);
  }

  @Test
  @DisplayName("a YAML file sets keys and the environment overrides the file")
  void fileThenEnvironment() throws IOException {
    Path file = write("config.yaml", """
        smtp:
          port: 2626
          maxPerIp: 5
        trap:
          domains: [Trap.Example]
        """);
    HunnypotConfig config = ConfigLoader.load(Optional.of(file), Map.of(
        "HUNNYPOT_SMTP_PORT", "2727",
        "HUNNYPOT_TRAP_DOMAINS", "a.example, b.example",
        "PATH", "/usr/bin"));
    assertThat(config.smtp().port()).isEqualTo(2727);
    assertThat(config.smtp().maxPerIp()).isEqualTo(5);
    assertThat(config.trap().domains()).containsExactly("a.example", "b.example");
  }

  @Test
  @DisplayName("a JSON file is read as well as YAML")
  void jsonFile() throws IOException {
    Path file = write("config.json", "{\"smtp\": {\"maxBytes\": 4096}, \"db\": {\"url\": \"postgresql://u@127.0.0.1/h\"}}");
    HunnypotConfig config = ConfigLoader.load(Optional.of(file), Map.of());
    assertThat(config.smtp().maxBytes()).isEqualTo(4096);
    assertThat(config.db().url()).isEqualTo("postgresql://u@127.0.0.1/h");
  }

  @Test
  @DisplayName("an unknown key in the file is refused, naming the key and the known ones")
  void unknownKeyInFile() throws IOException {
    Path file = write("config.yaml", "smtp:\n  prot: 25\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'smtp.prot'")
        .hasMessageContaining("port");
  }

  @Test
  @DisplayName("an unknown section in the file is refused")
  void unknownSection() throws IOException {
    Path file = write("config.yaml", "smpt:\n  port: 25\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown section 'smpt'");
  }

  @Test
  @DisplayName("an unknown HUNNYPOT_ environment variable is refused")
  void unknownEnvironmentVariable() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_SMTP_PROT", "25")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("HUNNYPOT_SMTP_PROT")
        .hasMessageContaining("HUNNYPOT_SMTP_PORT");
  }

  @Test
  @DisplayName("a value of the wrong type names the key and the expected form")
  void wrongType() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_SMTP_MAX_PER_IP", "three")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("configuration key smtp.maxPerIp: expected an integer, got '\"three\"'");
  }

  @Test
  @DisplayName("a value out of range names the key and the expected range")
  void outOfRange() throws IOException {
    Path file = write("config.yaml", "smtp:\n  port: 70000\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("smtp.port")
        .hasMessageContaining("0 to 65535");
  }

  @Test
  @DisplayName("the node's event loops and the recorder's linger default to 1 and 20 ms; no loop or a negative linger is refused")
  void eventLoopsAndLinger() {
    HunnypotConfig defaults = ConfigLoader.load(Optional.empty(), Map.of());
    assertThat(defaults.node().eventLoops()).isEqualTo(1);
    assertThat(defaults.recorder().lingerMillis()).isEqualTo(20);
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_NODE_EVENT_LOOPS", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("node.eventLoops")
        .hasMessageContaining("at least 1");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_RECORDER_LINGER_MILLIS", "-1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("recorder.lingerMillis")
        .hasMessageContaining("at least 0");
  }

  @Test
  @DisplayName("an unknown listed class and a malformed database URL are refused")
  void badListingClassAndDbUrl() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_LISTING_CLASSES", "trap-domain,spam")))
        .hasMessageContaining("listing.classes").hasMessageContaining("spam");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DB_URL", "mysql://x")))
        .hasMessageContaining("db.url").hasMessageContaining("postgresql://");
  }

  @Test
  @DisplayName("the MX monitor's keys default to the system's resolvers, port 25 probes trusted 399 s, and the address each client reached")
  void mxMonitorDefaults() {
    HunnypotConfig config = ConfigLoader.load(Optional.empty(), Map.of());
    assertThat(config.dns().servers()).isEmpty();
    assertThat(config.dns().timeoutMillis()).isEqualTo(2000);
    assertThat(config.mx().probePort()).isEqualTo(25);
    assertThat(config.mx().probeTimeoutSeconds()).isEqualTo(5);
    assertThat(config.mx().cacheSeconds()).isEqualTo(399);
    assertThat(config.identity().addresses()).isEmpty();
  }

  @Test
  @DisplayName("resolvers are host:port, [IPv6]:port or an address alone for port 53; identity addresses are IPv4 or IPv6")
  void resolversAndIdentity() {
    HunnypotConfig config = ConfigLoader.load(Optional.empty(), Map.of(
        "HUNNYPOT_DNS_SERVERS", "127.0.0.1:5353, [::1]:5354, 192.0.2.53, 2001:db8::53",
        "HUNNYPOT_IDENTITY_ADDRESSES", "192.0.2.25, 2001:db8::25"));
    assertThat(config.dns().resolvers()).containsExactly(
        new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("::1", 5354),
        new InetSocketAddress("192.0.2.53", 53), new InetSocketAddress("2001:db8::53", 53));
    assertThat(config.identity().addresses()).containsExactly("192.0.2.25", "2001:db8::25");
  }

  @Test
  @DisplayName("a resolver or identity given by name, and a probe port of 0, are refused naming the key")
  void badMxMonitorKeys() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DNS_SERVERS", "ns1.example:53")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("dns.servers").hasMessageContaining("ns1.example:53").hasMessageContaining("host:port");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DNS_SERVERS", "127.0.0.1:70000")))
        .hasMessageContaining("dns.servers");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_IDENTITY_ADDRESSES", "mx.example")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("identity.addresses").hasMessageContaining("IPv4 or IPv6");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_MX_PROBE_PORT", "0")))
        .hasMessageContaining("mx.probePort");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DNS_TIMEOUT_MILLIS", "0")))
        .hasMessageContaining("dns.timeoutMillis");
  }

  @Test
  @DisplayName("the database URL shown in logs hides the password")
  void redactedDbUrl() {
    var config = ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DB_URL", "postgresql://hp:s3cret@127.0.0.1:5432/hp"));
    assertThat(config.db().redactedUrl()).isEqualTo("postgresql://hp:***@127.0.0.1:5432/hp");
  }

  @Test
  @DisplayName("a file that is not YAML says so, with the line")
  void malformedFile() throws IOException {
    Path file = write("config.yaml", "smtp:\n  port: [1,\n");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not valid YAML or JSON");
  }

  @Test
  @DisplayName("environment names follow HUNNYPOT_<SECTION>_<KEY> in upper snake case")
  void environmentNames() {
    assertThat(ConfigLoader.environmentName("smtp", "idleTimeoutSeconds")).isEqualTo("HUNNYPOT_SMTP_IDLE_TIMEOUT_SECONDS");
    assertThat(ConfigLoader.environmentName("dnsbl", "port")).isEqualTo("HUNNYPOT_DNSBL_PORT");
    assertThat(ConfigLoader.defaults().get("smtp").has("idleTimeoutSeconds")).isTrue();
  }

  @Test
  @DisplayName("the DNSBL, the admin token and the allowlist have their defaults and are set like any key")
  void dnsblAdminAndAllowlist() {
    HunnypotConfig defaults = ConfigLoader.load(Optional.empty(), Map.of());
    assertThat(defaults.dnsbl().port()).isEqualTo(10053);
    assertThat(defaults.dnsbl().zone()).isEqualTo("bl.hunnypot.invalid");
    assertThat(defaults.dnsbl().resolvedNameserver()).isEqualTo("bl.hunnypot.invalid");
    assertThat(defaults.admin().enabled()).isFalse();
    assertThat(defaults.listing().allowlist()).isEmpty();

    HunnypotConfig config = ConfigLoader.load(Optional.empty(), Map.of(
        "HUNNYPOT_DNSBL_ZONE", "BL.Example.NET.",
        "HUNNYPOT_DNSBL_TTL_SECONDS", "60",
        "HUNNYPOT_DNSBL_TXT", "{ip} is {class}",
        "HUNNYPOT_ADMIN_TOKEN", "s3cret",
        "HUNNYPOT_LISTING_ALLOWLIST", "192.0.2.0/24, 2001:db8::/32,198.51.100.7"));
    assertThat(config.dnsbl().zone()).isEqualTo("bl.example.net");
    assertThat(config.dnsbl().ttlSeconds()).isEqualTo(60);
    assertThat(config.admin().token()).isEqualTo("s3cret");
    assertThat(config.admin().toString()).doesNotContain("s3cret");
    assertThat(config.listing().allowedNetworks()).extracting(Object::toString)
        .containsExactly("192.0.2.0/24", "2001:db8::/32", "198.51.100.7/32");
    assertThat(config.listing().listedClass(List.of("unknown", "backup-mx", "trap-domain"))).hasToString("trap-domain");
    assertThat(config.listing().listedClass(List.of("unknown", "outage"))).hasToString("outage");
  }

  @Test
  @DisplayName("a bad zone, TTL, TXT placeholder or allowlist entry is refused, naming the key")
  void badDnsblAndAllowlist() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DNSBL_ZONE", "bl..example")))
        .hasMessageContaining("dnsbl.zone").hasMessageContaining("a domain name");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DNSBL_NEGATIVE_TTL_SECONDS", "0")))
        .hasMessageContaining("dnsbl.negativeTtlSeconds");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DNSBL_TXT", "listed since {firstSeen}")))
        .hasMessageContaining("dnsbl.txt").hasMessageContaining("{lastSeen}");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_LISTING_ALLOWLIST", "192.0.2.1/24")))
        .hasMessageContaining("listing.allowlist").hasMessageContaining("192.0.2.1/24");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_LISTING_ALLOWLIST", "example.com")))
        .hasMessageContaining("listing.allowlist");
  }

  @Test
  @DisplayName("the spool and the cluster have their defaults: a million sightings or 1 GiB, a replay each second, members on 127.0.0.1")
  void spoolAndClusterDefaults() {
    HunnypotConfig config = ConfigLoader.load(Optional.empty(), Map.of());
    assertThat(config.delivery().timeoutSeconds()).isEqualTo(10);
    assertThat(config.spool().maxSightings()).isEqualTo(1_000_000);
    assertThat(config.spool().maxBytes()).isEqualTo(1024L * 1024 * 1024);
    assertThat(config.spool().replayIntervalMillis()).isEqualTo(1000);
    assertThat(config.cluster().name()).isEqualTo("hunnypot");
    assertThat(config.cluster().members()).containsExactly("127.0.0.1");
    assertThat(config.cluster().host()).isEqualTo("127.0.0.1");
    assertThat(config.cluster().port()).isEqualTo(5701);
    assertThat(config.cluster().eventBusPort()).isZero();
    assertThat(config.cluster().resolvedPublicHost()).isEqualTo("127.0.0.1");
    assertThat(config.cluster().hazelcastConfig()).isEmpty();
  }

  @Test
  @DisplayName("cluster members are addresses with or without a port, IPv6 in brackets; a public host replaces cluster.host for the others")
  void clusterMembers() {
    HunnypotConfig config = ConfigLoader.load(Optional.empty(), Map.of(
        "HUNNYPOT_CLUSTER_MEMBERS", "10.0.0.1, 10.0.0.2:5702, [2001:db8::1]:5701, 2001:db8::2",
        "HUNNYPOT_CLUSTER_HOST", "10.0.0.1",
        "HUNNYPOT_CLUSTER_PUBLIC_HOST", "192.0.2.1",
        "HUNNYPOT_SPOOL_MAX_SIGHTINGS", "50"));
    assertThat(config.cluster().members()).containsExactly("10.0.0.1", "10.0.0.2:5702", "[2001:db8::1]:5701", "2001:db8::2");
    assertThat(config.cluster().resolvedPublicHost()).isEqualTo("192.0.2.1");
    assertThat(config.spool().maxSightings()).isEqualTo(50);
  }

  @Test
  @DisplayName("a bad spool bound, member, port range, cluster host or name is refused, naming the key")
  void badSpoolAndCluster() {
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_SPOOL_MAX_SIGHTINGS", "0")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("spool.maxSightings");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_SPOOL_MAX_MEGABYTES", "-1")))
        .hasMessageContaining("spool.maxMegabytes");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_SPOOL_REPLAY_INTERVAL_MILLIS", "0")))
        .hasMessageContaining("spool.replayIntervalMillis");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_CLUSTER_MEMBERS", "127.0.0.1:5701-5703")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cluster.members").hasMessageContaining("127.0.0.1:5701-5703").hasMessageContaining("port ranges");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_CLUSTER_MEMBERS", "node1.example")))
        .hasMessageContaining("cluster.members");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_CLUSTER_HOST", "0.0.0.0.0")))
        .hasMessageContaining("cluster.host");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_CLUSTER_PORT", "0")))
        .hasMessageContaining("cluster.port");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_CLUSTER_NAME", " ")))
        .hasMessageContaining("cluster.name");
    assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("HUNNYPOT_DELIVERY_ATTEMPTS", "6")))
        .as("retries are the spool's now").hasMessageContaining("HUNNYPOT_DELIVERY_ATTEMPTS");
  }

  private Path write(String name, String content) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, content);
    return file;
  }
}
