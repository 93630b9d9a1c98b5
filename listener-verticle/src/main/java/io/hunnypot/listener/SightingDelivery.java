package io.hunnypot.listener;

import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.Sighting;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Gets every sighting stored by a recorder, whose reply comes only after the commit, or else
 * keeps it in the {@link Spool} until one does. While the spool holds anything, new sightings
 * join it at the back, so that the recorder gets them oldest first and no session waits for a
 * recorder known to be away. {@link #replay()} hands the oldest on, about a recorder batch at a
 * time, and goes on at once while the recorder acknowledges them. Resending is always safe:
 * the recorder stores each sighting id once.
 */
final class SightingDelivery {

  private static final Logger LOG = LoggerFactory.getLogger(SightingDelivery.class);
  /** Sightings resent at once by a replay: about one batch of the recorder. */
  static final int REPLAY_WINDOW = 500;
  /** The recorder's answer for a sighting that can never be stored: sending it again would not help. */
  private static final int REFUSED = 400;

  private final Vertx vertx;
  private final Spool spool;
  private final DeliveryOptions options;
  private final ListenerMetrics metrics;
  /** The replay round in flight, or a completed future. */
  private Future<Void> replaying = Future.succeededFuture();

  SightingDelivery(Vertx vertx, Spool spool, int timeoutSeconds, ListenerMetrics metrics) {
    this.vertx = vertx;
    this.spool = spool;
    this.options = new DeliveryOptions().setSendTimeout(timeoutSeconds * 1000L);
    this.metrics = metrics;
  }

  /**
   * Completes once a recorder has stored the sighting or it is safe in the spool; fails only
   * when it is neither (refused as malformed by the recorder, or the spool could not write it),
   * and then it has been logged in full and counted as unrecorded.
   */
  Future<Void> deliver(Sighting sighting) {
    JsonObject json = sighting.toJson();
    if (!spool.isEmpty()) {
      return keep(json);
    }
    return send(json).transform(sent -> {
      if (sent.succeeded()) {
        metrics.delivered();
        return Future.succeededFuture();
      }
      if (refused(sent.cause())) {
        return giveUp(json, sent.cause());
      }
      if (spool.isEmpty()) { // the first of an outage: the others follow it into the spool
        LOG.warn("no recorder acknowledged sighting {} ({}); keeping sightings in the spool {} until one does",
            json.getString("id"), sent.cause().getMessage(), spool.dir());
      }
      return keep(json);
    });
  }

  /** Puts a sighting in the spool, from which a replay gives it to a recorder. */
  Future<Void> keep(JsonObject sighting) {
    return spool.append(sighting).transform(appended -> {
      if (appended.failed()) {
        return giveUp(sighting, appended.cause());
      }
      metrics.spooled();
      return Future.succeededFuture();
    });
  }

  /** Starts a replay of the oldest spooled sightings unless one is under way; it goes on while the recorder acknowledges. */
  void replay() {
    if (!replaying.isComplete() || spool.stored() == 0) {
      return;
    }
    replaying = spool.oldest(REPLAY_WINDOW)
        .compose(this::resend)
        .transform(round -> {
          if (round.failed()) {
            LOG.error("could not read the spool {}: {}", spool.dir(), round.cause().toString());
          } else if (round.result() && spool.isEmpty()) {
            LOG.info("spool {} is empty: every kept sighting is recorded", spool.dir());
          } else if (round.result()) {
            vertx.runOnContext(next -> replay());
          }
          return Future.succeededFuture();
        });
  }

  /** Completes when no replay round is under way. */
  Future<Void> replayed() {
    return replaying;
  }

  /** Resends the files' sightings all at once, deletes the files whose every one is settled; true if all were. */
  private Future<Boolean> resend(List<Spool.Read> files) {
    List<Future<Boolean>> sent = new ArrayList<>(files.size());
    for (Spool.Read file : files) {
      List<Future<Boolean>> sightings = file.sightings().stream().map(this::resend).toList();
      sent.add(Future.all(sightings).map(all -> sightings.stream().allMatch(Future::result)));
    }
    return Future.all(sent).compose(all -> {
      List<Spool.Stored> settled = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        if (sent.get(i).result()) {
          settled.add(files.get(i).file());
        }
      }
      return spool.remove(settled).map(removed -> settled.size() == files.size());
    });
  }

  /** True once the sighting is settled: stored, or refused for good (logged and counted); false if it must be sent again. */
  private Future<Boolean> resend(JsonObject sighting) {
    return send(sighting).transform(sent -> {
      if (sent.succeeded()) {
        metrics.replayed();
        return Future.succeededFuture(true);
      }
      if (refused(sent.cause())) {
        return this.<Boolean>giveUp(sighting, sent.cause()).otherwise(true);
      }
      return Future.succeededFuture(false);
    });
  }

  private Future<Void> send(JsonObject sighting) {
    return vertx.eventBus().request(Addresses.SIGHTING_RECORD, sighting, options).mapEmpty();
  }

  private static boolean refused(Throwable error) {
    return error instanceof ReplyException reply
        && reply.failureType() == ReplyFailure.RECIPIENT_FAILURE && reply.failureCode() == REFUSED;
  }

  private <T> Future<T> giveUp(JsonObject sighting, Throwable cause) {
    metrics.unrecorded();
    LOG.error("sighting not recorded ({}): {}", cause, sighting.encode());
    return Future.failedFuture(cause);
  }
}
