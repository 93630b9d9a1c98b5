package io.hunnypot.api;

import io.hunnypot.api.export.Export;
import io.hunnypot.api.export.ExportFormat;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The HTTP API: offenders, sightings and statistics read from the recorder's tables, exports
 * of the listing, the admin calls, the live feed, its own OpenAPI document (which every request
 * is validated against), and {@code /health}, {@code /ready}, {@code /metrics} for whoever runs
 * the node. It deploys while the database is down; {@code /ready} says when it is usable.
 */
public class ApiVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);

  private static final long READY_TIMEOUT_SECONDS = 2;
  private static final int RECENT_SIGHTINGS = 20;
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  /** Context key of the matched route's path template, the metrics' route tag. */
  private static final String ROUTE = "hunnypot.route";
  private static final long MAX_BODY = 4096;

  private final HunnypotConfig config;
  private final PrometheusMeterRegistry registry;
  private Pool pool;
  private Queries queries;
  private Listings listings;
  private Admin admin;
  private RequestValidation validation;
  private LiveFeed liveFeed;
  private HttpServer server;

  public ApiVerticle(HunnypotConfig config, PrometheusMeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  /** The port the API listens on, once started: the configured one, or the one chosen for port 0. */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    pool = PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(config.db().poolSize()))
        .connectingTo(PgConnectOptions.fromUri(config.db().url()))
        .using(vertx)
        .build();
    queries = new Queries(pool);
    listings = new Listings(pool, config.listing());
    admin = new Admin(vertx, queries, config);
    HttpServerOptions options = new HttpServerOptions().setHost(config.http().host()).setPort(config.http().port());
    liveFeed = new LiveFeed(vertx, registry);
    return liveFeed.start()
        .compose(following -> RequestValidation.load(vertx))
        .compose(loaded -> {
          validation = loaded;
          return vertx.createHttpServer(options).requestHandler(router()).listen();
        })
        .onSuccess(listening -> {
          server = listening;
          LOG.info("HTTP API listening on {} port {}", config.http().host(), listening.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    liveFeed.stop(registry);
    return pool.close();
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create().setBodyLimit(MAX_BODY));
    router.route().handler(this::countRequest);
    get(router, "/api/v1/offenders", json(this::offenders));
    get(router, "/api/v1/offenders/:ip", json(this::offender));
    get(router, "/api/v1/sightings", json(this::sightings));
    get(router, "/api/v1/stats", json(this::stats));
    get(router, "/api/v1/export/:format", this::export);
    get(router, "/api/v1/allowlist", json(admin::allowlist));
    route(router, HttpMethod.DELETE, "/api/v1/offenders/:ip", admin::authorize, json(admin::delist));
    route(router, HttpMethod.POST, "/api/v1/allowlist", admin::authorize, ctx -> admin.allow(ctx)
        .onSuccess(entry -> reply(ctx, entry.getBoolean("created") ? 201 : 200, entry))
        .onFailure(ctx::fail));
    route(router, HttpMethod.DELETE, "/api/v1/allowlist/:cidr", admin::authorize, json(admin::disallow));
    route(router, HttpMethod.GET, "/api/v1/audit", admin::authorize, json(admin::audit));
    get(router, "/api/v1/events", liveFeed::subscribe);
    get(router, "/api/v1/openapi.yaml", ctx -> ctx.response().putHeader("content-type", "application/yaml")
        .end(validation.document()));
    get(router, "/health", json(ctx -> Future.succeededFuture(new JsonObject().put("status", "up"))));
    get(router, "/ready", this::ready);
    get(router, "/metrics", ctx -> ctx.response().putHeader("content-type", PROMETHEUS_TEXT).end(registry.scrape()));
    router.route().failureHandler(this::failure);
    router.errorHandler(404, this::failure);
    router.errorHandler(405, this::failure);
    return router;
  }

  private Future<JsonObject> offenders(RoutingContext ctx) {
    Params params = Params.of(ctx, "class", "since", "listed", "limit", "cursor");
    return queries.offenders(
        params.get("class", Params.SIGHTING_CLASS),
        params.get("since", Params.INSTANT),
        params.get("listed", Params.BOOLEAN),
        params.get("cursor", Params.CURSOR),
        params.get("limit", Params.LIMIT, Params.DEFAULT_LIMIT));
  }

  private Future<JsonObject> offender(RoutingContext ctx) {
    Params.of(ctx); // refuses any query parameter
    String ip = Params.parse("ip", ctx.pathParam("ip"), Params.IP);
    return queries.offender(ip).compose(found -> found
        .map(offender -> queries.sightings(ip, null, RECENT_SIGHTINGS).map(recent -> offender.put("recentSightings", recent)))
        .orElseGet(() -> Future.failedFuture(ApiError.notFound("no offender " + ip))));
  }

  private Future<JsonObject> sightings(RoutingContext ctx) {
    Params params = Params.of(ctx, "ip", "since", "limit");
    return queries.sightings(
            params.get("ip", Params.IP),
            params.get("since", Params.INSTANT),
            params.get("limit", Params.LIMIT, Params.DEFAULT_LIMIT))
        // not paged (yet): next is always null, but the list has the shape of every other list
        .map(items -> new JsonObject().put("items", items).put("next", null));
  }

  private Future<JsonObject> stats(RoutingContext ctx) {
    Params.of(ctx); // refuses any query parameter
    return queries.stats();
  }

  private void export(RoutingContext ctx) {
    Params.of(ctx); // refuses any query parameter
    ExportFormat format = Params.parse("format", ctx.pathParam("format"), Params.EXPORT_FORMAT);
    Export.render(vertx, listings, format)
        .recover(e -> Future.failedFuture(ApiError.databaseUnavailable(e)))
        .onSuccess(file -> ctx.response().putHeader("content-type", format.contentType()).end(file))
        .onFailure(ctx::fail);
  }

  /**
   * Ready when the database answers and the node is (in its cluster, its spool not full): the
   * node's own state comes from {@link Addresses#NODE_STATUS}; an API deployed without it is
   * judged on the database alone.
   */
  private void ready(RoutingContext ctx) {
    Future<Void> database = queries.ping().timeout(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Future<JsonObject> node = vertx.eventBus()
        .<JsonObject>request(Addresses.NODE_STATUS, null, new DeliveryOptions().setLocalOnly(true)
            .setSendTimeout(TimeUnit.SECONDS.toMillis(READY_TIMEOUT_SECONDS)))
        .map(reply -> reply.body())
        .otherwise(new JsonObject());
    Future.join(database, node).onComplete(done -> {
      JsonObject status = node.result().copy();
      if (database.failed()) {
        Throwable e = database.cause();
        status.put("reason", "database: "
            + (e instanceof TimeoutException ? "no answer within " + READY_TIMEOUT_SECONDS + " s" : e.getMessage()));
      }
      boolean ready = database.succeeded() && !"not ready".equals(status.getString("status"));
      status.put("status", ready ? "ready" : "not ready");
      reply(ctx, ready ? 200 : 503, status);
    });
  }

  private void get(Router router, String path, Handler<RoutingContext> handler) {
    route(router, HttpMethod.GET, path, handler);
  }

  /**
   * Routes {@code method path}, remembering its template for the request counter: through the
   * guards first (the admin token), then the validation against the OpenAPI document, then the
   * last handler, which answers.
   */
  @SafeVarargs
  private void route(Router router, HttpMethod method, String path, Handler<RoutingContext>... handlers) {
    Route route = router.route(method, path).handler(ctx -> {
      ctx.put(ROUTE, path);
      ctx.next();
    });
    for (int i = 0; i < handlers.length - 1; i++) {
      route.handler(handlers[i]);
    }
    route.handler(validation::validate).handler(handlers[handlers.length - 1]);
  }

  /** Answers 200 with the action's JSON; its failures, and anything it throws, go to {@link #failure}. */
  private static Handler<RoutingContext> json(Function<RoutingContext, Future<JsonObject>> action) {
    return ctx -> action.apply(ctx).onSuccess(body -> reply(ctx, 200, body)).onFailure(ctx::fail);
  }

  private void countRequest(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> Counter.builder("hunnypot.http.requests")
        .description("HTTP requests answered, by route and status")
        .tag("route", ctx.get(ROUTE, "unmatched"))
        .tag("status", String.valueOf(ctx.response().getStatusCode()))
        .register(registry)
        .increment());
    ctx.next();
  }

  /** Every error as JSON: the client learns what it did wrong, never how the server failed. */
  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError error) {
      if (error.getCause() != null) {
        // the cause's own words are enough: a database outage would flood the log with stack traces
        LOG.error("{} {}: {}: {}", ctx.request().method(), ctx.request().uri(), error.getMessage(), error.getCause().toString());
      }
      reply(ctx, error.status(), error.body());
    } else if (failure != null) {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().uri(), failure);
      reply(ctx, 500, ApiError.error("internal server error"));
    } else {
      int status = ctx.statusCode();
      reply(ctx, status, ApiError.error(HttpResponseStatus.valueOf(status).reasonPhrase().toLowerCase())
          .put("message", ctx.request().method() + " " + ctx.request().path()));
    }
  }

  private static void reply(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status);
    ctx.json(body);
  }
}
