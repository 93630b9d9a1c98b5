package io.hunnypot.api.export;

import io.hunnypot.api.Listings.Listed;
import io.hunnypot.api.export.Blocks.Block;

import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * The formats the listing is exported in, by the names of the API and of
 * {@code hunnypot export}. Where a format takes networks, adjacent addresses are merged into
 * CIDR blocks; where it takes only octet-aligned prefixes, blocks are cut to those.
 */
public enum ExportFormat {
  /** rbldnsd's ip4set dataset, with the RFC 5782 test entries. */
  RBLDNSD("rbldnsd", ExportFormat::rbldnsd),
  /** rbldnsd's ip6trie dataset, with the RFC 5782 test entry. */
  RBLDNSD6("rbldnsd6", ExportFormat::rbldnsd6),
  /** Input of qmail's tcprules (ucspi-tcp): IPv4 only, which is all tcpserver knows. */
  TCPRULES("tcprules", ExportFormat::tcprules),
  /** sendmail's access map source, for makemap. */
  SENDMAIL("sendmail", ExportFormat::sendmail),
  /** A Postfix access table for postmap (hash or lmdb), used by check_client_access. */
  POSTFIX("postfix", ExportFormat::postfix),
  /** A Postfix cidr_table, used by check_client_access cidr:FILE. */
  POSTFIX_CIDR("postfix-cidr", ExportFormat::postfixCidr),
  /** nftables sets with flags interval, replaced whole when the file is loaded with nft -f. */
  NFTABLES("nftables", ExportFormat::nftables),
  /** One address a line. */
  PLAIN("plain", ExportFormat::plain),
  CSV("csv", ExportFormat::csv),
  JSON("json", ExportFormat::json);

  private static final String REASON = "Listed by Hunnypot";

  private final String wireName;
  private final BiConsumer<Export.Document, StringBuilder> writer;

  ExportFormat(String wireName, BiConsumer<Export.Document, StringBuilder> writer) {
    this.wireName = wireName;
    this.writer = writer;
  }

  public String wireName() {
    return wireName;
  }

  public String contentType() {
    return switch (this) {
      case CSV -> "text/csv; charset=utf-8";
      case JSON -> "application/json";
      default -> "text/plain; charset=utf-8";
    };
  }

  void write(Export.Document document, StringBuilder out) {
    writer.accept(document, out);
  }

  public static ExportFormat fromWireName(String name) {
    return Arrays.stream(values()).filter(f -> f.wireName.equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown export format '" + name + "'; expected one of " + wireNames()));
  }

  public static String wireNames() {
    return Arrays.stream(values()).map(ExportFormat::wireName).collect(Collectors.joining(", "));
  }

  private static void header(Export.Document document, StringBuilder out) {
    out.append("# Hunnypot listing, ").append(document.entries().size()).append(" addresses, generated ")
        .append(document.generatedAt()).append('\n');
  }

  private static void rbldnsd(Export.Document document, StringBuilder out) {
    header(document, out);
    // the default answer of every entry below; rbldnsd puts the queried address for $
    out.append(":127.0.0.2:").append(REASON).append(": $\n");
    out.append("127.0.0.2 :127.0.0.2:RFC 5782 test entry\n");
    out.append("!127.0.0.1\n");
    document.ipv4Blocks().forEach(block -> out.append(block.single() ? block.address() : block.toString()).append('\n'));
  }

  private static void rbldnsd6(Export.Document document, StringBuilder out) {
    header(document, out);
    out.append(":127.0.0.2:").append(REASON).append(": $\n");
    out.append("::ffff:7f00:2 :127.0.0.2:RFC 5782 test entry\n");
    document.ipv6Blocks().forEach(block -> out.append(block).append('\n'));
  }

  private static void tcprules(Export.Document document, StringBuilder out) {
    for (Block block : Blocks.split(document.ipv4Blocks(), Blocks::octetBoundary)) {
      out.append(octetPrefix(block, block.single() ? "" : ".")).append(":deny\n");
    }
    out.append(":allow\n");
  }

  private static void sendmail(Export.Document document, StringBuilder out) {
    header(document, out);
    for (Block block : Blocks.split(document.ipv4Blocks(), Blocks::octetBoundary)) {
      out.append("Connect:").append(octetPrefix(block, "")).append("\tREJECT\n");
    }
    for (Listed entry : document.ipv6()) {
      out.append("Connect:IPv6:").append(entry.ip()).append("\tREJECT\n");
    }
  }

  private static void postfix(Export.Document document, StringBuilder out) {
    header(document, out);
    for (Block block : Blocks.split(document.ipv4Blocks(), Blocks::octetBoundary)) {
      out.append(octetPrefix(block, "")).append("\tREJECT ").append(REASON).append('\n');
    }
    for (Listed entry : document.ipv6()) {
      out.append(entry.ip()).append("\tREJECT ").append(REASON).append('\n');
    }
  }

  private static void postfixCidr(Export.Document document, StringBuilder out) {
    header(document, out);
    for (List<Block> family : List.of(document.ipv4Blocks(), document.ipv6Blocks())) {
      family.forEach(block -> out.append(block).append("\tREJECT ").append(REASON).append('\n'));
    }
  }

  private static void nftables(Export.Document document, StringBuilder out) {
    header(document, out);
    out.append("""
        # Load with nft -f: the sets are created if need be, then replaced whole in one transaction.
        # Use them from a chain of this table, e.g. ip saddr @blocklist4 drop; ip6 saddr @blocklist6 drop
        table inet hunnypot {
          set blocklist4 { type ipv4_addr; flags interval; }
          set blocklist6 { type ipv6_addr; flags interval; }
        }
        flush set inet hunnypot blocklist4
        flush set inet hunnypot blocklist6
        """);
    elements(out, "blocklist4", document.ipv4Blocks());
    elements(out, "blocklist6", document.ipv6Blocks());
  }

  private static void elements(StringBuilder out, String set, List<Block> blocks) {
    if (blocks.isEmpty()) {
      return; // an empty element list is a syntax error
    }
    out.append("add element inet hunnypot ").append(set).append(" {\n");
    for (int i = 0; i < blocks.size(); i++) {
      Block block = blocks.get(i);
      out.append("  ").append(block.single() ? block.address() : block.toString()).append(i + 1 < blocks.size() ? ",\n" : "\n");
    }
    out.append("}\n");
  }

  private static void plain(Export.Document document, StringBuilder out) {
    document.entries().forEach(entry -> out.append(entry.ip()).append('\n'));
  }

  private static void csv(Export.Document document, StringBuilder out) {
    out.append("ip,class,first_seen,last_seen,listed_until,sightings\n");
    for (Listed entry : document.entries()) {
      out.append(entry.ip()).append(',').append(entry.listedClass()).append(',').append(entry.firstSeen()).append(',')
          .append(entry.lastSeen()).append(',').append(entry.listedUntil()).append(',').append(entry.sightings()).append('\n');
    }
  }

  /** Written by hand, every value being an address, a class name, an instant or a number: nothing to escape. */
  private static void json(Export.Document document, StringBuilder out) {
    out.append("{\"generatedAt\":\"").append(document.generatedAt()).append("\",\"count\":").append(document.entries().size())
        .append(",\"items\":[");
    List<Listed> entries = document.entries();
    for (int i = 0; i < entries.size(); i++) {
      Listed entry = entries.get(i);
      out.append(i == 0 ? "\n" : ",\n").append("{\"ip\":\"").append(entry.ip())
          .append("\",\"class\":\"").append(entry.listedClass())
          .append("\",\"firstSeen\":\"").append(entry.firstSeen())
          .append("\",\"lastSeen\":\"").append(entry.lastSeen())
          .append("\",\"listedUntil\":\"").append(entry.listedUntil())
          .append("\",\"sightings\":").append(entry.sightings()).append('}');
    }
    out.append("\n]}\n");
  }

  /** 192.0.2.1 for a /32; 192.0.2 (then {@code suffix}) for a /24, 192.0 for a /16, 192 for a /8. */
  private static String octetPrefix(Block block, String suffix) {
    byte[] network = block.network();
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < block.prefixLength() / 8; i++) {
      prefix.append(i == 0 ? "" : ".").append(network[i] & 0xFF);
    }
    return prefix.append(suffix).toString();
  }
}
