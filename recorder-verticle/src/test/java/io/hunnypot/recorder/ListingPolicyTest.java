package io.hunnypot.recorder;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.config.HunnypotConfig;
import io.hunnypot.contract.Addresses;
import io.hunnypot.contract.ListingChange;
import io.hunnypot.contract.ListingChanges;
import io.hunnypot.contract.Sighting;
import io.hunnypot.contract.SightingClass;
import io.hunnypot.contract.SightingsStored;
import io.hunnypot.testsupport.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.hunnypot.recorder.Fixtures.T0;
import static io.hunnypot.recorder.Fixtures.offender;
import static io.hunnypot.recorder.Fixtures.send;
import static io.hunnypot.recorder.Fixtures.sighting;
import static io.hunnypot.recorder.Fixtures.until;
import static org.assertj.core.api.Assertions.assertThat;

/** Which sightings list their address, and what the recorder publishes after each commit. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ListingPolicyTest {

  private final List<ListingChange> changes = new CopyOnWriteArrayList<>();
  private final List<Sighting> stored = new CopyOnWriteArrayList<>();
  private String url;
  private Pool db;

  @BeforeEach
  void listen(Vertx vertx, VertxTestContext context) {
    url = TestDatabase.newDatabaseUrl();
    db = PgBuilder.pool().connectingTo(url).using(vertx).build();
    vertx.eventBus().<JsonObject>consumer(Addresses.LISTING_CHANGED,
        message -> changes.addAll(ListingChanges.fromJson(message.body()).changes()));
    vertx.eventBus().<JsonObject>consumer(Addresses.SIGHTINGS_STORED,
        message -> stored.addAll(SightingsStored.fromJson(message.body()).sightings()));
    context.completeNow();
  }

  private Future<String> deploy(Vertx vertx, Map<String, String> settings) {
    Map<String, String> environment = new HashMap<>(settings);
    environment.put("HUNNYPOT_DB_URL", url);
    environment.put("HUNNYPOT_LISTING_DAYS", "2");
    HunnypotConfig config = ConfigLoader.load(Optional.empty(), environment);
    return vertx.deployVerticle(new RecorderVerticle(config, new SimpleMeterRegistry()));
  }

  @Test
  @DisplayName("after the commit the recorder publishes the new sightings and each touched listing with its class, last seen and expiry")
  void publishesAfterCommit(Vertx vertx, VertxTestContext context) {
    Sighting unknown = sighting("127.0.0.2", SightingClass.UNKNOWN, T0);
    Sighting listable = sighting("127.0.0.2", SightingClass.BACKUP_MX, T0.plusSeconds(60));
    Sighting notListable = sighting("127.0.0.3", SightingClass.NO_ENVELOPE, T0);
    deploy(vertx, Map.of())
        .compose(id -> send(vertx, unknown))
        .compose(acknowledged -> send(vertx, notListable))
        .compose(acknowledged -> send(vertx, listable))
        .compose(acknowledged -> send(vertx, listable)) // a resend: stored before, so published once
        .compose(acknowledged -> until(vertx, () -> stored.size() == 3 && changes.size() == 1))
        .compose(published -> vertx.timer(100))
        .onComplete(context.succeeding(settled -> context.verify(() -> {
          assertThat(stored).containsExactly(unknown, notListable, listable);
          ListingChange listing = new ListingChange("127.0.0.2", listable.endedAt().plus(Duration.ofDays(2)),
              listable.endedAt(), SightingClass.BACKUP_MX);
          assertThat(changes).containsExactly(listing);
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("an address in the configured allowlist or in the allowlist table is recorded but never listed")
  void allowlistedAddressesAreNeverListed(Vertx vertx, VertxTestContext context) {
    deploy(vertx, Map.of("HUNNYPOT_LISTING_ALLOWLIST", "127.0.5.0/24"))
        .compose(id -> db.query("INSERT INTO allowlist (network) VALUES ('2001:db8::/32')").execute())
        .compose(inserted -> Future.all(
            send(vertx, sighting("127.0.5.9")), send(vertx, sighting("2001:db8::9")), send(vertx, sighting("127.0.6.9"))))
        .compose(acknowledged -> Future.all(offender(db, "127.0.5.9"), offender(db, "2001:db8::9"), offender(db, "127.0.6.9")))
        .onComplete(context.succeeding(offenders -> context.verify(() -> {
          assertThat(offenders.<Fixtures.Offender>resultAt(0).sightings()).isEqualTo(1);
          assertThat(offenders.<Fixtures.Offender>resultAt(0).listedUntil()).isNull();
          assertThat(offenders.<Fixtures.Offender>resultAt(1).listedUntil()).isNull();
          assertThat(offenders.<Fixtures.Offender>resultAt(2).listedUntil()).isNotNull();
          assertThat(changes).extracting(ListingChange::ip).containsOnly("127.0.6.9");
          context.completeNow();
        })));
  }

  @Test
  @DisplayName("a recorder started with a wider allowlist delists the listed addresses inside it and says so on the bus")
  void startDelistsNewlyAllowedAddresses(Vertx vertx, VertxTestContext context) {
    deploy(vertx, Map.of())
        .compose(id -> send(vertx, sighting("127.0.7.1")).compose(acknowledged -> vertx.undeploy(id)))
        .compose(undeployed -> deploy(vertx, Map.of("HUNNYPOT_LISTING_ALLOWLIST", "127.0.7.0/24")))
        .compose(id -> until(vertx, () -> changes.contains(ListingChange.delisted("127.0.7.1"))))
        .compose(published -> offender(db, "127.0.7.1"))
        .onComplete(context.succeeding(offender -> context.verify(() -> {
          assertThat(offender.listedUntil()).isNull();
          context.completeNow();
        })));
  }
}
