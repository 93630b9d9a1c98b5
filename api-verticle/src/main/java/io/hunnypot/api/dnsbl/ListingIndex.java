package io.hunnypot.api.dnsbl;

import io.hunnypot.contract.SightingClass;

/**
 * The listed addresses in memory, for the DNSBL: an open-addressing hash table keyed by the
 * 128-bit address (IPv4 as its IPv4-mapped IPv6 form, so both spellings find it), with the
 * listing's expiry, last sighting and class in parallel arrays, about 30 bytes an address and
 * no object per entry. Not thread-safe: one event loop owns it.
 */
final class ListingIndex {

  /** What {@link #find} answers for an address that is not in the index. */
  static final int ABSENT = -1;

  private static final SightingClass[] CLASSES = SightingClass.values();
  private static final int MIN_CAPACITY = 1024;

  private long[] high;
  private long[] low;
  /** Expiry in epoch seconds; 0 marks an empty slot. */
  private long[] until;
  private long[] lastSeen;
  private byte[] classes;
  private int size;

  ListingIndex() {
    allocate(MIN_CAPACITY);
  }

  /** The first 64 bits of an address of 4 or 16 bytes; an IPv4 address is taken in its IPv4-mapped form. */
  static long high(byte[] address) {
    return address.length == 4 ? 0 : bits(address, 0);
  }

  /** The last 64 bits of an address of 4 or 16 bytes; an IPv4 address is taken in its IPv4-mapped form. */
  static long low(byte[] address) {
    return address.length == 4 ? 0xFFFF_0000_0000L | (bits(address, 0) >>> 32) : bits(address, 8);
  }

  private static long bits(byte[] address, int from) {
    long bits = 0;
    for (int i = from; i < from + 8; i++) {
      bits = (bits << 8) | (i < address.length ? address[i] & 0xFF : 0);
    }
    return bits;
  }

  int size() {
    return size;
  }

  /** Adds the address or updates its listing. */
  void put(long high, long low, long untilSeconds, long lastSeenSeconds, SightingClass listedClass) {
    if (untilSeconds <= 0) {
      throw new IllegalArgumentException("a listing expires after 1970");
    }
    if ((size + 1) * 4L > this.high.length * 3L) {
      resize(this.high.length * 2);
    }
    int slot = slot(high, low);
    if (until[slot] == 0) {
      size++;
      this.high[slot] = high;
      this.low[slot] = low;
    }
    until[slot] = untilSeconds;
    lastSeen[slot] = lastSeenSeconds;
    classes[slot] = (byte) listedClass.ordinal();
  }

  void remove(long high, long low) {
    int slot = slot(high, low);
    if (until[slot] != 0) {
      delete(slot);
    }
  }

  /** The slot of the address if it is listed at {@code nowSeconds}, else {@link #ABSENT}. */
  int find(long high, long low, long nowSeconds) {
    int slot = slot(high, low);
    return until[slot] > nowSeconds ? slot : ABSENT;
  }

  long lastSeen(int slot) {
    return lastSeen[slot];
  }

  SightingClass listedClass(int slot) {
    return CLASSES[classes[slot]];
  }

  /** Drops every listing expired at {@code nowSeconds}; answers how many. */
  int purge(long nowSeconds) {
    int purged = 0;
    for (int slot = 0; slot < until.length; ) {
      if (until[slot] != 0 && until[slot] <= nowSeconds) {
        delete(slot); // shifts a later entry into this slot: look at it again
        purged++;
      } else {
        slot++;
      }
    }
    return purged;
  }

  /** The slot holding the address, or the empty slot where it would go. */
  private int slot(long high, long low) {
    int mask = until.length - 1;
    int slot = hash(high, low) & mask;
    while (until[slot] != 0 && (this.high[slot] != high || this.low[slot] != low)) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  /** Empties the slot, moving back the entries of its probe run so that none becomes unreachable. */
  private void delete(int slot) {
    int mask = until.length - 1;
    int hole = slot;
    for (int next = (hole + 1) & mask; until[next] != 0; next = (next + 1) & mask) {
      int home = hash(high[next], low[next]) & mask;
      // the entry at next may fill the hole unless its home lies cyclically in (hole, next]
      boolean homeAfterHole = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!homeAfterHole) {
        move(next, hole);
        hole = next;
      }
    }
    until[hole] = 0;
    size--;
  }

  private void move(int from, int to) {
    high[to] = high[from];
    low[to] = low[from];
    until[to] = until[from];
    lastSeen[to] = lastSeen[from];
    classes[to] = classes[from];
  }

  private void resize(int capacity) {
    long[] oldHigh = high;
    long[] oldLow = low;
    long[] oldUntil = until;
    long[] oldLastSeen = lastSeen;
    byte[] oldClasses = classes;
    allocate(capacity);
    for (int i = 0; i < oldUntil.length; i++) {
      if (oldUntil[i] != 0) {
        int slot = slot(oldHigh[i], oldLow[i]);
        high[slot] = oldHigh[i];
        low[slot] = oldLow[i];
        until[slot] = oldUntil[i];
        lastSeen[slot] = oldLastSeen[i];
        classes[slot] = oldClasses[i];
      }
    }
  }

  private void allocate(int capacity) {
    high = new long[capacity];
    low = new long[capacity];
    until = new long[capacity];
    lastSeen = new long[capacity];
    classes = new byte[capacity];
  }

  /** Addresses of one network differ in their last bits only: mix every bit into the slot number. */
  private static int hash(long high, long low) {
    long h = (high * 0x9E3779B97F4A7C15L) ^ low;
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return (int) (h ^ (h >>> 33));
  }
}
