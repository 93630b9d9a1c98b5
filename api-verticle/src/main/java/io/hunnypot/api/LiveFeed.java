package io.hunnypot.api;

import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.ListingChanges;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingsStored;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.HashSet;
import java.util.Set;

/**
 * {@code GET /api/v1/events}: Server-Sent Events for dashboards and SIEMs, an event
 * {@code sighting} for each sighting stored and an event {@code listing} for each listing
 * change, as the recorder and the admin API publish them. A client too slow to keep up is
 * disconnected rather than buffered without end; a comment every little while keeps idle
 * proxies from closing the stream.
 */
final class LiveFeed {

  private static final long KEEPALIVE_MS = 15_000;
  private static final Buffer KEEPALIVE = Buffer.buffer(": keepalive\n\n");

  private final Vertx vertx;
  private final Set<HttpServerResponse> clients = new HashSet<>();
  private final Gauge connected;

  LiveFeed(Vertx vertx, MeterRegistry registry) {
    this.vertx = vertx;
    this.connected = Gauge.builder("hunnypot.http.events.clients", clients, Set::size)
        .description("clients of the live feed, /api/v1/events")
        .register(registry);
  }

  /** Starts following the bus; completes once both consumers are registered. */
  Future<Void> start() {
    // nothing is decoded while nobody listens: the recorder publishes with every commit
    MessageConsumer<JsonObject> sightings = vertx.eventBus().consumer(Addresses.SIGHTINGS_STORED, message -> {
      if (!clients.isEmpty()) {
        for (Sighting sighting : SightingsStored.fromJson(message.body()).sightings()) {
          send("sighting", sighting.toJson());
        }
      }
    });
    MessageConsumer<JsonObject> listings = vertx.eventBus().consumer(Addresses.LISTING_CHANGED, message -> {
      if (!clients.isEmpty()) {
        for (ListingChange change : ListingChanges.fromJson(message.body()).changes()) {
          send("listing", change.toJson().put("listed", change.listed()));
        }
      }
    });
    vertx.setPeriodic(KEEPALIVE_MS, timer -> clients.forEach(client -> write(client, KEEPALIVE)));
    return Future.all(sightings.completion(), listings.completion()).mapEmpty();
  }

  void stop(MeterRegistry registry) {
    registry.remove(connected);
  }

  void subscribe(RoutingContext ctx) {
    HttpServerResponse response = ctx.response()
        .putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache")
        .setChunked(true);
    clients.add(response);
    response.closeHandler(closed -> clients.remove(response));
    // a server shutting down waits for open requests: end this one at once
    ctx.request().connection().shutdownHandler(shutdown -> {
      clients.remove(response);
      response.end();
    });
    write(response, Buffer.buffer(": hunnypot live feed: events sighting and listing\n\n"));
  }

  private void send(String event, JsonObject data) {
    Buffer frame = Buffer.buffer("event: " + event + "\ndata: " + data.encode() + "\n\n");
    Set.copyOf(clients).forEach(client -> write(client, frame));
  }

  private void write(HttpServerResponse client, Buffer frame) {
    if (client.writeQueueFull()) {
      clients.remove(client);
      client.reset();
      return;
    }
    client.write(frame);
  }
}
