package io.hunnypot.config;

import io.hunnypot.contract.Cidr;
import io.hunnypot.contract.SightingClass;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The whole configuration, one record per section. Defaults live in {@code defaults.yaml};
 * {@link ConfigLoader} reads it, the file given by the user and the environment. Each
 * section checks its own values, naming the key when one is wrong.
 */
public record HunnypotConfig(
    Node node, Smtp smtp, Http http, Trap trap, Dns dns, Mx mx, Identity identity, Listing listing,
    Data data, Db db, Recorder recorder, Delivery delivery, Spool spool, Cluster cluster, Dnsbl dnsbl, Admin admin) {

  public record Node(String name, int eventLoops) {
    public Node {
      Checks.positive("node.eventLoops", eventLoops);
    }

    /** The configured node name, or this machine's host name. */
    public String resolvedName() {
      return name.isBlank() ? localHostName() : name;
    }
  }

  public record Smtp(
      String host, int port, String hostname, int maxConnections, int maxPerIp,
      int idleTimeoutSeconds, int maxBytes, int maxLineLength, int maxRecipients, int maxErrors,
      int classifyTimeoutSeconds) {
    public Smtp {
      Checks.port("smtp.port", port);
      Checks.positive("smtp.maxConnections", maxConnections);
      Checks.positive("smtp.maxPerIp", maxPerIp);
      Checks.positive("smtp.idleTimeoutSeconds", idleTimeoutSeconds);
      Checks.positive("smtp.maxBytes", maxBytes);
      Checks.atLeast("smtp.maxLineLength", maxLineLength, 64);
      Checks.positive("smtp.maxRecipients", maxRecipients);
      Checks.positive("smtp.maxErrors", maxErrors);
      Checks.positive("smtp.classifyTimeoutSeconds", classifyTimeoutSeconds);
    }

    /** The name in the greeting: the configured one, or this machine's host name. */
    public String resolvedHostname() {
      return hostname.isBlank() ? localHostName() : hostname;
    }
  }

  public record Http(String host, int port) {
    public Http {
      Checks.port("http.port", port);
    }
  }

  public record Trap(List<String> domains) {
    public Trap {
      domains = domains.stream().map(d -> d.trim().toLowerCase()).filter(d -> !d.isEmpty()).toList();
    }
  }

  /** The resolvers the MX monitor asks; none configured means the system's. */
  public record Dns(List<String> servers, int timeoutMillis) {
    public Dns {
      servers.forEach(server -> Checks.server("dns.servers", server));
      Checks.positive("dns.timeoutMillis", timeoutMillis);
    }

    public List<InetSocketAddress> resolvers() {
      return servers.stream().map(server -> Checks.server("dns.servers", server)).toList();
    }

    public Duration timeout() {
      return Duration.ofMillis(timeoutMillis);
    }
  }

  /** How the MX monitor tells a live primary MX: a 220 greeting on its SMTP port, trusted for a while. */
  public record Mx(int probePort, int probeTimeoutSeconds, int cacheSeconds) {
    public Mx {
      if (probePort < 1 || probePort > 65535) {
        throw ConfigException.badValue("mx.probePort", probePort, "a port from 1 to 65535");
      }
      Checks.positive("mx.probeTimeoutSeconds", probeTimeoutSeconds);
      Checks.positive("mx.cacheSeconds", cacheSeconds);
    }
  }

  /** This listener's public addresses, which make an MX host ours; none configured means the address each client reached. */
  public record Identity(List<String> addresses) {
    public Identity {
      addresses = addresses.stream().map(String::trim).toList();
      addresses.forEach(a -> Checks.ipAddress("identity.addresses", a, a, "a list of IPv4 or IPv6 addresses"));
    }
  }

  /** Which classes list an address, for how long after its last sighting, and which networks are never listed. */
  public record Listing(List<String> classes, int days, List<String> allowlist) {
    public Listing {
      for (String c : classes) {
        try {
          SightingClass.fromWireName(c);
        } catch (IllegalArgumentException e) {
          throw ConfigException.badValue("listing.classes", c, "a list of " + SightingClass.wireNames());
        }
      }
      Checks.positive("listing.days", days);
      allowlist = allowlist.stream().map(String::trim).toList();
      allowlist.forEach(cidr -> Checks.cidr("listing.allowlist", cidr));
    }

    /** What an address sighted with {@code classes} is listed as: the strongest of them that lists, else the strongest. */
    public SightingClass listedClass(List<String> classes) {
      Set<SightingClass> listed = listedClasses();
      List<SightingClass> seen = classes.stream().map(SightingClass::fromWireName).sorted().toList();
      return seen.stream().filter(listed::contains).findFirst().orElse(seen.isEmpty() ? null : seen.get(0));
    }

    public List<Cidr> allowedNetworks() {
      return allowlist.stream().map(Cidr::parse).toList();
    }

    public Set<SightingClass> listedClasses() {
      return classes.stream().map(SightingClass::fromWireName).collect(Collectors.toUnmodifiableSet());
    }

    public Duration lifetime() {
      return Duration.ofDays(days);
    }
  }

  public record Data(String dir) {
  }

  public record Db(String url, int poolSize) {
    public Db {
      if (!url.isBlank() && !url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
        throw ConfigException.badValue("db.url", url, "a URL like postgresql://user:password@host:5432/database");
      }
      Checks.positive("db.poolSize", poolSize);
    }

    public boolean embedded() {
      return url.isBlank();
    }

    /** The URL fit for a log line or an error message: the password masked. */
    public String redactedUrl() {
      return url.replaceFirst("^(\\w+://[^:@/]*):[^@/]*@", "$1:***@");
    }
  }

  public record Recorder(int batchSize, int lingerMillis) {
    public Recorder {
      Checks.positive("recorder.batchSize", batchSize);
      Checks.atLeast("recorder.lingerMillis", lingerMillis, 0);
    }
  }

  public record Delivery(int timeoutSeconds) {
    public Delivery {
      Checks.positive("delivery.timeoutSeconds", timeoutSeconds);
    }
  }

  /**
   * The listener's spool on local disk, for sightings no recorder has acknowledged yet: how
   * much it may hold before new connections are refused, and how often it tries the recorder.
   */
  public record Spool(int maxSightings, int maxMegabytes, int replayIntervalMillis) {
    public Spool {
      Checks.positive("spool.maxSightings", maxSightings);
      Checks.positive("spool.maxMegabytes", maxMegabytes);
      Checks.positive("spool.replayIntervalMillis", replayIntervalMillis);
    }

    public long maxBytes() {
      return maxMegabytes * 1024L * 1024L;
    }
  }

  /**
   * How a node started with {@code --cluster} joins the others: the Hazelcast cluster's name,
   * its members, and the addresses and ports of this node's cluster and event-bus traffic; or a
   * Hazelcast configuration file that replaces name, members and port.
   */
  public record Cluster(String name, List<String> members, String host, int port, int eventBusPort, String publicHost,
                        String hazelcastConfig) {
    public Cluster {
      Checks.ipAddress("cluster.host", host, host, "an IPv4 or IPv6 address of this machine");
      if (port < 1 || port > 65535) {
        throw ConfigException.badValue("cluster.port", port, "a port from 1 to 65535");
      }
      Checks.port("cluster.eventBusPort", eventBusPort);
      members = members.stream().map(String::trim).toList();
      members.forEach(member -> Checks.member("cluster.members", member));
      if (name.isBlank()) {
        throw ConfigException.badValue("cluster.name", name, "a non-empty name shared by every node of the cluster");
      }
    }

    /** Where the other nodes reach this one's event bus: the configured public address, or {@code cluster.host}. */
    public String resolvedPublicHost() {
      return publicHost.isBlank() ? host : publicHost;
    }
  }

  /**
   * The DNSBL server: its socket, its zone, the TTLs of its answers, and the TXT template whose
   * {@code {ip}}, {@code {class}} and {@code {lastSeen}} are filled in per listed address.
   */
  public record Dnsbl(String host, int port, String zone, int ttlSeconds, int negativeTtlSeconds, String nameserver,
                      String txt) {
    private static final String NAME = "(?=.{1,253}$)([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\\.)*"
        + "[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?";

    public Dnsbl {
      Checks.port("dnsbl.port", port);
      zone = zone.trim().toLowerCase().replaceAll("\\.$", "");
      if (!zone.matches(NAME)) {
        throw ConfigException.badValue("dnsbl.zone", zone, "a domain name such as bl.example.net");
      }
      Checks.positive("dnsbl.ttlSeconds", ttlSeconds);
      Checks.positive("dnsbl.negativeTtlSeconds", negativeTtlSeconds);
      nameserver = nameserver.trim().toLowerCase().replaceAll("\\.$", "");
      if (!nameserver.isEmpty() && !nameserver.matches(NAME)) {
        throw ConfigException.badValue("dnsbl.nameserver", nameserver, "a host name such as ns1.example.net, or empty");
      }
      String unknown = txt.replaceAll("\\{(ip|class|lastSeen)}", "");
      if (unknown.contains("{") || unknown.contains("}")) {
        throw ConfigException.badValue("dnsbl.txt", txt, "a text whose only placeholders are {ip}, {class} and {lastSeen}");
      }
    }

    /** The NS of the zone and the primary of its SOA: the configured name, or the zone's own. */
    public String resolvedNameserver() {
      return nameserver.isEmpty() ? zone : nameserver;
    }
  }

  /** The admin API's bearer token; empty disables the admin calls. */
  public record Admin(String token) {
    public boolean enabled() {
      return !token.isEmpty();
    }

    /** Never the token itself, should the record end up in a log line. */
    @Override
    public String toString() {
      return "Admin[token=" + (enabled() ? "***" : "") + "]";
    }
  }

  /** A copy whose database is the given URL; the launcher uses it once the embedded server is up. */
  public HunnypotConfig withDbUrl(String url) {
    return new HunnypotConfig(node, smtp, http, trap, dns, mx, identity, listing, data, new Db(url, db.poolSize()),
        recorder, delivery, spool, cluster, dnsbl, admin);
  }

  static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  private static final class Checks {
    /** {@code 192.0.2.1:53}, {@code [2001:db8::1]:53}, or an address alone for port 53. */
    static InetSocketAddress server(String key, String value) {
      String expected = "a list of resolvers as host:port, [IPv6]:port, or an address alone for port 53";
      String[] hostPort = hostAndPort(value);
      InetAddress address = ipAddress(key, hostPort[0], value, expected);
      String port = hostPort[1] == null ? "53" : hostPort[1];
      if (!isPort(port)) {
        throw ConfigException.badValue(key, value, expected);
      }
      return new InetSocketAddress(address, Integer.parseInt(port));
    }

    /** A Hazelcast member: an address, or address:port ([IPv6]:port); never a port range. */
    static void member(String key, String value) {
      String expected = "a list of member addresses as address or address:port ([IPv6]:port), without port ranges";
      String[] hostPort = hostAndPort(value);
      ipAddress(key, hostPort[0], value, expected);
      if (hostPort[1] != null && !isPort(hostPort[1])) {
        throw ConfigException.badValue(key, value, expected);
      }
    }

    /** Splits {@code host:port} or {@code [IPv6]:port}; an address alone, IPv6 without brackets too, has a null port. */
    private static String[] hostAndPort(String value) {
      if (value.startsWith("[") && value.contains("]:")) {
        return new String[] {value.substring(1, value.indexOf("]:")), value.substring(value.indexOf("]:") + 2)};
      }
      int colon = value.indexOf(':');
      if (colon > 0 && colon == value.lastIndexOf(':')) {
        return new String[] {value.substring(0, colon), value.substring(colon + 1)};
      }
      return new String[] {value, null};
    }

    private static boolean isPort(String port) {
      return port.matches("\\d{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
    }

    /** An address written as such; never a name, which would need a DNS lookup to mean anything. */
    static InetAddress ipAddress(String key, String address, String value, String expected) {
      InetAddress parsed = NetUtil.createInetAddressFromIpAddressString(address);
      if (parsed == null) {
        throw ConfigException.badValue(key, value, expected);
      }
      return parsed;
    }

    static void cidr(String key, String value) {
      try {
        Cidr.parse(value);
      } catch (IllegalArgumentException e) {
        throw ConfigException.badValue(key, value, "a list of networks such as 192.0.2.0/24 or 2001:db8::/32, or addresses");
      }
    }

    static void port(String key, int value) {
      if (value < 0 || value > 65535) {
        throw ConfigException.badValue(key, value, "a port from 0 to 65535 (0: any free port)");
      }
    }

    static void positive(String key, int value) {
      atLeast(key, value, 1);
    }

    static void atLeast(String key, int value, int min) {
      if (value < min) {
        throw ConfigException.badValue(key, value, "an integer of at least " + min);
      }
    }
  }
}
