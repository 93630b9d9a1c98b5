package io.hunnypot.api.dnsbl;

import io.hunnypot.contract.SightingClass;

/**
 * The listed addresses in memory, for the DNSBL: an open-addressing hash table keyed by the
 * 128-bit address (IPv4 as its IPv4-mapped IPv6 form, so both spellings find it). Each slot is
 * four longs side by side in one array (the address's two halves, the listing's end, its last
 * sighting and class), so that a lookup touches one cache line: 32 bytes a slot, no object
 * per entry. Not thread-safe: one event loop owns it.
 */
final class ListingIndex {

  /** What {@link #find} answers for an address that is not in the index. */
  static final int ABSENT = -1;

  private static final SightingClass[] CLASSES = SightingClass.values();
  private static final int MIN_CAPACITY = 1024;
  /** The longs of one slot: high bits, low bits, end of listing (epoch seconds; 0 marks an empty slot), last seen and class. */
  private static final int STRIDE = 4;
  private static final int HIGH = 0;
  private static final int LOW = 1;
  private static final int UNTIL = 2;
  private static final int SEEN_AND_CLASS = 3;

  private long[] table;
  private int capacity;
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
    if ((size + 1) * 4L > capacity * 3L) {
      resize(capacity * 2);
    }
    int at = slot(high, low) * STRIDE;
    if (table[at + UNTIL] == 0) {
      size++;
      table[at + HIGH] = high;
      table[at + LOW] = low;
    }
    table[at + UNTIL] = untilSeconds;
    table[at + SEEN_AND_CLASS] = lastSeenSeconds << 8 | listedClass.ordinal();
  }

  void remove(long high, long low) {
    int slot = slot(high, low);
    if (table[slot * STRIDE + UNTIL] != 0) {
      delete(slot);
    }
  }

  /** The slot of the address if it is listed at {@code nowSeconds}, else {@link #ABSENT}. */
  int find(long high, long low, long nowSeconds) {
    int slot = slot(high, low);
    return table[slot * STRIDE + UNTIL] > nowSeconds ? slot : ABSENT;
  }

  long lastSeen(int slot) {
    return table[slot * STRIDE + SEEN_AND_CLASS] >> 8;
  }

  SightingClass listedClass(int slot) {
    return CLASSES[(int) (table[slot * STRIDE + SEEN_AND_CLASS] & 0xFF)];
  }

  /** Drops every listing expired at {@code nowSeconds}; answers how many. */
  int purge(long nowSeconds) {
    int purged = 0;
    for (int slot = 0; slot < capacity; ) {
      long until = table[slot * STRIDE + UNTIL];
      if (until != 0 && until <= nowSeconds) {
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
    int mask = capacity - 1;
    int slot = hash(high, low) & mask;
    for (int at = slot * STRIDE; table[at + UNTIL] != 0 && (table[at + HIGH] != high || table[at + LOW] != low);
         at = slot * STRIDE) {
      slot = (slot + 1) & mask;
    }
    return slot;
  }

  /** Empties the slot, moving back the entries of its probe run so that none becomes unreachable. */
  private void delete(int slot) {
    int mask = capacity - 1;
    int hole = slot;
    for (int next = (hole + 1) & mask; table[next * STRIDE + UNTIL] != 0; next = (next + 1) & mask) {
      int home = hash(table[next * STRIDE + HIGH], table[next * STRIDE + LOW]) & mask;
      // the entry at next may fill the hole unless its home lies cyclically in (hole, next]
      boolean homeAfterHole = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (!homeAfterHole) {
        System.arraycopy(table, next * STRIDE, table, hole * STRIDE, STRIDE);
        hole = next;
      }
    }
    table[hole * STRIDE + UNTIL] = 0;
    size--;
  }

  private void resize(int newCapacity) {
    long[] old = table;
    allocate(newCapacity);
    for (int at = 0; at < old.length; at += STRIDE) {
      if (old[at + UNTIL] != 0) {
        System.arraycopy(old, at, table, slot(old[at + HIGH], old[at + LOW]) * STRIDE, STRIDE);
      }
    }
  }

  private void allocate(int newCapacity) {
    capacity = newCapacity;
    table = new long[newCapacity * STRIDE];
  }

  /** Addresses of one network differ in their last bits only: mix every bit into the slot number. */
  private static int hash(long high, long low) {
    long h = (high * 0x9E3779B97F4A7C15L) ^ low;
    h = (h ^ (h >>> 33)) * 0xFF51AFD7ED558CCDL;
    h = (h ^ (h >>> 33)) * 0xC4CEB9FE1A85EC53L;
    return (int) (h ^ (h >>> 33));
  }
}
