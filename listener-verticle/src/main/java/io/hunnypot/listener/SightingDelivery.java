package io.hunnypot.listener;

import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Sighting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a sighting to the recorder, whose reply comes only after the commit. A failed try is
 * repeated after a pause that doubles from one second; resending is safe, as the recorder
 * stores each sighting id once.
 */
final class SightingDelivery {

  private static final Logger LOG = LoggerFactory.getLogger(SightingDelivery.class);
  private static final long FIRST_PAUSE_MS = 1_000;

  private final Vertx vertx;
  private final int attempts;
  private final DeliveryOptions options;
  private final ListenerMetrics metrics;

  SightingDelivery(Vertx vertx, HunnypotConfig.Delivery config, ListenerMetrics metrics) {
    this.vertx = vertx;
    this.attempts = config.attempts();
    this.options = new DeliveryOptions().setSendTimeout(config.timeoutSeconds() * 1000L);
    this.metrics = metrics;
  }

  /** Succeeds once a recorder has acknowledged the sighting; fails when every try has. */
  Future<Void> deliver(Sighting sighting) {
    return attempt(sighting.toJson(), 1, FIRST_PAUSE_MS);
  }

  private Future<Void> attempt(JsonObject sighting, int attempt, long pauseMs) {
    return vertx.eventBus().request(Addresses.SIGHTING_RECORD, sighting, options)
        .<Void>mapEmpty()
        .recover(error -> {
          if (attempt >= attempts) {
            return Future.failedFuture(error);
          }
          metrics.retried();
          LOG.debug("sighting {} not acknowledged ({}); try {} of {} in {} ms",
              sighting.getString("id"), error.getMessage(), attempt + 1, attempts, pauseMs);
          return vertx.timer(pauseMs).compose(v -> attempt(sighting, attempt + 1, pauseMs * 2));
        });
  }
}
