package io.hunnypot.api.export;

import io.hunnypot.api.Listings;
import io.hunnypot.api.Listings.Listed;
import io.hunnypot.api.export.Blocks.Block;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The listing as it stands, written in one {@link ExportFormat}: what {@code GET /api/v1/export/{format}}
 * serves and {@code hunnypot export} writes.
 */
public final class Export {

  /** The listed addresses in address order (IPv4 first) and the time they were read. */
  record Document(List<Listed> entries, Instant generatedAt) {

    List<Listed> ipv4() {
      return entries.stream().filter(entry -> entry.address().length == 4).toList();
    }

    List<Listed> ipv6() {
      return entries.stream().filter(entry -> entry.address().length == 16).toList();
    }

    List<Block> ipv4Blocks() {
      return Blocks.merge(ipv4().stream().map(Listed::address).toList());
    }

    List<Block> ipv6Blocks() {
      return Blocks.merge(ipv6().stream().map(Listed::address).toList());
    }
  }

  private Export() {
  }

  /** Reads the listing and writes it in {@code format}, on a worker thread: a million addresses take a while. */
  public static Future<Buffer> render(Vertx vertx, Listings listings, ExportFormat format) {
    List<Listed> entries = new ArrayList<>();
    Instant generatedAt = Instant.now();
    return listings.forEach(entries::add).compose(read -> vertx.executeBlocking(() -> {
      StringBuilder out = new StringBuilder(entries.size() * 24 + 256);
      format.write(new Document(entries, generatedAt), out);
      return Buffer.buffer(out.toString().getBytes(StandardCharsets.UTF_8));
    }, false));
  }
}
