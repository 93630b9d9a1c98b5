package io.hunnypot.api;

import io.hunnypot.api.export.ExportFormat;
import io.hunnypot.contract.Cidr;
import io.hunnypot.contract.IpAddresses;
import io.hunnypot.contract.SightingClass;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;

/**
 * The query parameters of one request. Every problem — an unknown name, a repeated one, a value
 * of the wrong form — becomes a 400 {@link ApiError} that names the parameter and says what was expected.
 */
final class Params {

  /** How to read one kind of value, and how to tell the client what that kind looks like. */
  record Kind<T>(Function<String, T> parser, String expected) {
  }

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  static final Kind<Instant> INSTANT =
      new Kind<>(Instant::parse, "an ISO-8601 instant such as 2026-01-01T00:00:00Z");
  static final Kind<Integer> LIMIT =
      new Kind<>(Params::limit, "an integer from 1 to " + MAX_LIMIT);
  static final Kind<Boolean> BOOLEAN =
      new Kind<>(Params::bool, "true or false");
  static final Kind<SightingClass> SIGHTING_CLASS =
      new Kind<>(SightingClass::fromWireName, "one of " + SightingClass.wireNames());
  static final Kind<String> IP =
      new Kind<>(IpAddresses::normalise, "an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1");
  static final Kind<ExportFormat> EXPORT_FORMAT =
      new Kind<>(ExportFormat::fromWireName, "one of " + ExportFormat.wireNames());
  static final Kind<String> NETWORK =
      new Kind<>(text -> Cidr.parse(text).toString(), Cidr.EXPECTED);
  static final Kind<Long> AUDIT_CURSOR =
      new Kind<>(Params::positive, "the value of next from the previous page");
  static final Kind<Cursor> CURSOR =
      new Kind<>(Cursor::decode, "the value of next from the previous page");

  private final MultiMap query;

  private Params(MultiMap query) {
    this.query = query;
  }

  /** The request's query parameters, refused unless each is one of {@code accepted}, given once. */
  static Params of(RoutingContext ctx, String... accepted) {
    MultiMap query = ctx.queryParams();
    for (String name : query.names()) {
      if (!List.of(accepted).contains(name)) {
        throw ApiError.badParameter(name, accepted.length == 0
            ? "unknown parameter; this path takes none"
            : "unknown parameter; accepted: " + String.join(", ", accepted));
      }
      if (query.getAll(name).size() > 1) {
        throw ApiError.badParameter(name, "given more than once");
      }
    }
    return new Params(query);
  }

  /** The parameter's value, or null when it is absent. */
  <T> T get(String name, Kind<T> kind) {
    return get(name, kind, null);
  }

  <T> T get(String name, Kind<T> kind, T absent) {
    String value = query.get(name);
    return value == null ? absent : parse(name, value, kind);
  }

  /** Reads one value, a query or a path parameter. */
  static <T> T parse(String name, String value, Kind<T> kind) {
    try {
      return kind.parser().apply(value);
    } catch (RuntimeException e) {
      throw ApiError.badParameter(name, "expected " + kind.expected());
    }
  }

  private static long positive(String value) {
    long number = Long.parseLong(value);
    if (number < 1) {
      throw new IllegalArgumentException("not positive: " + value);
    }
    return number;
  }

  private static int limit(String value) {
    int limit = Integer.parseInt(value);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit out of range: " + limit);
    }
    return limit;
  }

  private static boolean bool(String value) {
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("not a boolean: " + value);
    };
  }
}
