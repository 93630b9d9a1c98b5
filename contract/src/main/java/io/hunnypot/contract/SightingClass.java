package io.hunnypot.contract;

import java.util.Arrays;

/**
 * What a sighting says about its client, strongest first: a session with several recipient
 * domains takes the strongest class among them.
 */
public enum SightingClass {
  TRAP_DOMAIN("trap-domain"),
  BACKUP_MX("backup-mx"),
  A_RECORD("a-record"),
  RELAY_ATTEMPT("relay-attempt"),
  OUTAGE("outage"),
  UNKNOWN("unknown"),
  NO_ENVELOPE("no-envelope");

  private final String wireName;

  SightingClass(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in JSON, in the database, in the API and in configuration. */
  public String wireName() {
    return wireName;
  }

  public SightingClass strongest(SightingClass other) {
    return compareTo(other) <= 0 ? this : other;
  }

  public static SightingClass fromWireName(String name) {
    return Arrays.stream(values())
        .filter(c -> c.wireName.equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(
            "unknown sighting class '" + name + "'; expected one of " + wireNames()));
  }

  public static String wireNames() {
    return String.join(", ", Arrays.stream(values()).map(SightingClass::wireName).toList());
  }

  @Override
  public String toString() {
    return wireName;
  }
}
