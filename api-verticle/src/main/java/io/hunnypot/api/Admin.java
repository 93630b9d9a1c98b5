package io.hunnypot.api;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Cidr;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.ListingChanges;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The admin calls: delist an address, edit the allowlist, read the audit table. Each needs
 * {@code Authorization: Bearer <admin.token>}, compared in constant time; with no token
 * configured they are all refused. Every change is audited in the transaction that makes it,
 * and published after it ({@link Addresses#LISTING_CHANGED}) so that every DNSBL follows.
 */
final class Admin {

  private final Vertx vertx;
  private final Queries queries;
  private final HunnypotConfig config;
  /** The token's digest: comparing digests of equal length leaks neither the token nor its length. */
  private final byte[] tokenDigest;

  Admin(Vertx vertx, Queries queries, HunnypotConfig config) {
    this.vertx = vertx;
    this.queries = queries;
    this.config = config;
    this.tokenDigest = config.admin().enabled() ? sha256(config.admin().token()) : null;
  }

  /** Lets the request on only with the right bearer token; the token is never logged nor echoed. */
  void authorize(RoutingContext ctx) {
    if (tokenDigest == null) {
      ctx.fail(ApiError.adminDisabled());
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
    if (!bearer || !MessageDigest.isEqual(tokenDigest, sha256(header.substring(7).trim()))) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"hunnypot admin\"");
      ctx.fail(ApiError.unauthorized());
      return;
    }
    ctx.next();
  }

  /** DELETE /api/v1/offenders/{ip}: not listed until sighted again; answers the offender as it is now. */
  Future<JsonObject> delist(RoutingContext ctx) {
    Params.of(ctx);
    String ip = Params.parse("ip", ctx.pathParam("ip"), Params.IP);
    return queries.delist(ip, client(ctx))
        .compose(found -> found ? queries.offender(ip) : Future.failedFuture(ApiError.notFound("no offender " + ip)))
        .map(offender -> {
          publish(List.of(ip));
          return offender.orElseThrow();
        });
  }

  /** GET /api/v1/allowlist: the entries of the configuration, then those added through this API. */
  Future<JsonObject> allowlist(RoutingContext ctx) {
    Params.of(ctx);
    JsonArray items = new JsonArray();
    config.listing().allowedNetworks().forEach(network ->
        items.add(new JsonObject().put("network", network.toString()).put("source", "configuration")));
    return queries.allowlist().map(added -> new JsonObject().put("items", items.addAll(added)).put("next", null));
  }

  /**
   * POST /api/v1/allowlist {"network": "192.0.2.0/24", "comment": "..."}: never listed from now on.
   * Answers the entry, whether it is new (else its comment was replaced), and how many listings it ended.
   */
  Future<JsonObject> allow(RoutingContext ctx) {
    Params.of(ctx);
    JsonObject body = ctx.body().asJsonObject(); // its shape checked against the OpenAPI document
    String network = Params.parse("network", body.getString("network"), Params.NETWORK);
    return queries.allow(network, body.getString("comment", ""), client(ctx)).map(allowed -> {
      publish(allowed.delisted());
      return allowed.entry().put("created", allowed.created()).put("delisted", allowed.delisted().size());
    });
  }

  /** DELETE /api/v1/allowlist/{cidr}: listable again from its next sighting on. */
  Future<JsonObject> disallow(RoutingContext ctx) {
    Params.of(ctx);
    String network = Params.parse("cidr", ctx.pathParam("cidr"), Params.NETWORK);
    return queries.disallow(network, client(ctx)).compose(removed -> removed
        ? Future.succeededFuture(new JsonObject().put("network", network).put("removed", true))
        : Future.failedFuture(ApiError.notFound("no allowlist entry " + network
            + (config.listing().allowedNetworks().contains(Cidr.parse(network)) ? " added through the API; it is in the configuration" : ""))));
  }

  /** GET /api/v1/audit: every admin action, newest first. */
  Future<JsonObject> audit(RoutingContext ctx) {
    Params params = Params.of(ctx, "limit", "cursor");
    return queries.auditLog(params.get("cursor", Params.AUDIT_CURSOR), params.get("limit", Params.LIMIT, Params.DEFAULT_LIMIT));
  }

  private void publish(List<String> delisted) {
    if (!delisted.isEmpty()) {
      vertx.eventBus().publish(Addresses.LISTING_CHANGED,
          new ListingChanges(delisted.stream().map(ListingChange::delisted).toList()).toJson());
    }
  }

  private static String client(RoutingContext ctx) {
    return ctx.request().remoteAddress().hostAddress();
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
