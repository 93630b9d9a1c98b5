package io.hunnypot.api;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.SightingClass;
import io.netty.util.NetUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.pgclient.data.Inet;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The listing as it stands in the database: every address listed now, in address order (IPv4
 * first). Read by the DNSBL index at start, by the HTTP exports and by {@code hunnypot export},
 * so that all of them serve the same list. Streamed, so a million addresses never sit in one result.
 */
public final class Listings {

  /** One listed address (4 or 16 bytes), with what the exports and the DNSBL tell about it. */
  public record Listed(byte[] address, Instant firstSeen, Instant lastSeen, Instant listedUntil, long sightings,
                       SightingClass listedClass) {

    /** The address in the API's form: dotted IPv4, RFC 5952 IPv6. */
    public String ip() {
      return NetUtil.bytesToIpAddress(address);
    }
  }

  private static final String LISTED = """
      SELECT ip, first_seen, last_seen, listed_until, sightings, classes
      FROM offenders
      WHERE listed_until > now()
      ORDER BY family(ip), ip""";
  private static final int FETCH = 10_000;

  private final Pool pool;
  private final HunnypotConfig.Listing listing;
  /** The listed class of each set of classes met: a handful of sets serve a million addresses. */
  private final Map<List<String>, SightingClass> listedClasses = new HashMap<>();

  public Listings(Pool pool, HunnypotConfig.Listing listing) {
    this.pool = pool;
    this.listing = listing;
  }

  /** Hands every listed address to {@code each}, in address order, from one consistent snapshot. */
  public Future<Void> forEach(Consumer<Listed> each) {
    return pool.withTransaction(connection -> connection.prepare(LISTED).compose(statement -> {
      Promise<Void> done = Promise.promise();
      RowStream<Row> rows = statement.createStream(FETCH);
      rows.exceptionHandler(done::tryFail);
      rows.endHandler(end -> done.tryComplete());
      rows.handler(row -> {
        try {
          each.accept(listed(row));
        } catch (RuntimeException e) {
          rows.close();
          done.tryFail(e);
        }
      });
      return done.future();
    }));
  }

  private Listed listed(Row row) {
    byte[] address = ((Inet) row.getValue("ip")).getAddress().getAddress(); // an IPv4-mapped address comes as IPv4
    List<String> classes = List.of(row.getArrayOfStrings("classes"));
    return new Listed(address, row.getOffsetDateTime("first_seen").toInstant(),
        row.getOffsetDateTime("last_seen").toInstant(), row.getOffsetDateTime("listed_until").toInstant(),
        row.getLong("sightings"), listedClasses.computeIfAbsent(classes, listing::listedClass));
  }
}
