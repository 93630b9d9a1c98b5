package io.hunnypot.contract;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContractJsonTest {

  @Test
  @DisplayName("a sighting survives the trip through its JSON form unchanged")
  void sightingRoundTrip() {
    Sighting sighting = new Sighting(UUID.randomUUID(), Instant.parse("2026-01-02T03:04:05.123Z"),
        Instant.parse("2026-01-02T03:04:06Z"), "2001:db8::1", 40000, "::1", 2525, "mx1", "spam.example",
        "", List.of("a@trap.example", "b@trap.example"), 321, 7, SessionEnd.QUIT, SightingClass.TRAP_DOMAIN,
        new JsonObject().put("why", "configured"));
    assertThat(Sighting.fromJson(sighting.toJson())).isEqualTo(sighting);
    assertThat(Sighting.fromJson(new JsonObject(sighting.toJson().encode()))).isEqualTo(sighting);
  }

  @Test
  @DisplayName("a classify request carries the recipient domain and every identity address of the listener")
  void classifyRequestRoundTrip() {
    ClassifyRequest request = new ClassifyRequest("backup.example", List.of("192.0.2.25", "2001:db8::25"));
    assertThat(ClassifyRequest.fromJson(new JsonObject(request.toJson().encode()))).isEqualTo(request);
  }

  @Test
  @DisplayName("listing changes and stored sightings survive the trip through their JSON form, delistings too")
  void listingChangesRoundTrip() {
    ListingChanges changes = new ListingChanges(List.of(
        new ListingChange("192.0.2.1", Instant.parse("2026-01-09T00:00:00Z"), Instant.parse("2026-01-02T00:00:00Z"),
            SightingClass.BACKUP_MX),
        ListingChange.delisted("2001:db8::1")));
    assertThat(ListingChanges.fromJson(new JsonObject(changes.toJson().encode()))).isEqualTo(changes);
    assertThat(changes.changes().get(1).listed()).isFalse();
    SightingsStored stored = new SightingsStored(List.of());
    assertThat(SightingsStored.fromJson(new JsonObject(stored.toJson().encode()))).isEqualTo(stored);
  }

  @Test
  @DisplayName("a network is parsed with its prefix, an address alone is its own network, host bits are refused")
  void cidr() {
    Cidr network = Cidr.parse("192.0.2.0/24");
    assertThat(network.contains(new byte[] {(byte) 192, 0, 2, 77})).isTrue();
    assertThat(network.contains(new byte[] {(byte) 192, 0, 3, 1})).isFalse();
    assertThat(Cidr.parse("2001:DB8::/32")).hasToString("2001:db8::/32");
    assertThat(Cidr.parse("2001:db8::1")).hasToString("2001:db8::1/128");
    assertThat(Cidr.parse("0.0.0.0/0").contains(new byte[16])).isFalse();
    assertThatThrownBy(() -> Cidr.parse("192.0.2.1/24")).hasMessageContaining("no bits set after the prefix");
    assertThatThrownBy(() -> Cidr.parse("192.0.2.0/33")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Cidr.parse("example.com")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a session takes the strongest class: trap-domain beats unknown, unknown beats no-envelope")
  void strongestClass() {
    assertThat(SightingClass.UNKNOWN.strongest(SightingClass.TRAP_DOMAIN)).isEqualTo(SightingClass.TRAP_DOMAIN);
    assertThat(SightingClass.BACKUP_MX.strongest(SightingClass.OUTAGE)).isEqualTo(SightingClass.BACKUP_MX);
    assertThat(SightingClass.NO_ENVELOPE.strongest(SightingClass.UNKNOWN)).isEqualTo(SightingClass.UNKNOWN);
  }

  @Test
  @DisplayName("class names are the wire names of the design, and an unknown one is refused")
  void wireNames() {
    assertThat(SightingClass.fromWireName("backup-mx")).isEqualTo(SightingClass.BACKUP_MX);
    assertThat(Classification.fromJson(new Classification(SightingClass.A_RECORD, null).toJson()).sightingClass())
        .isEqualTo(SightingClass.A_RECORD);
    assertThatThrownBy(() -> SightingClass.fromWireName("spam")).hasMessageContaining("trap-domain");
  }

  @Test
  @DisplayName("sighting ids are version 7 UUIDs, distinct, and ordered by the time they were made")
  void sightingIdsAreTimeOrdered() throws InterruptedException {
    UUID first = Sighting.newId();
    Thread.sleep(2);
    UUID second = Sighting.newId();
    assertThat(first.version()).isEqualTo(7);
    assertThat(first.variant()).isEqualTo(2);
    assertThat(second).isNotEqualTo(first);
    assertThat(Long.compareUnsigned(second.getMostSignificantBits(), first.getMostSignificantBits())).isPositive();
    assertThat(Stream.generate(Sighting::newId).limit(10_000).distinct().count()).isEqualTo(10_000);
  }
}
