package io.hunnypot.contract;

/** Every event-bus address of Hunnypot, declared once. */
public final class Addresses {

  /** Request/reply: a {@link Sighting} to store; the reply, empty, comes only after the commit. */
  public static final String SIGHTING_RECORD = "hunnypot.sighting.record";

  /** Request/reply: a {@link ClassifyRequest} for one recipient domain; the reply is a {@link Classification}. */
  public static final String MX_CLASSIFY = "hunnypot.mx.classify";

  /** Publish: {@link ListingChanges}, after the commit that made them, so that every DNSBL index follows. */
  public static final String LISTING_CHANGED = "hunnypot.listing.changed";

  /** Publish: {@link SightingsStored}, the sightings one commit stored, for the live feed. */
  public static final String SIGHTINGS_STORED = "hunnypot.sighting.stored";

  /**
   * Request/reply, local to each node: the node's own state (its roles, its cluster membership,
   * its listener's spool) as JSON, with {@code status} "ready" or "not ready" and the reasons.
   */
  public static final String NODE_STATUS = "hunnypot.node.status";

  private Addresses() {
  }
}
