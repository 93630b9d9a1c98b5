package io.hunnypot.api.export;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Addresses merged into the fewest CIDR blocks that cover exactly them: adjacent addresses
 * make one run, and each run is cut into the largest aligned blocks it holds. Some formats
 * only take blocks whose prefix ends on an octet; {@link #split} cuts blocks down to those.
 */
final class Blocks {

  /** One block: its first address (4 or 16 bytes) and its prefix length. */
  record Block(byte[] network, int prefixLength) {

    int bits() {
      return network.length * 8;
    }

    boolean single() {
      return prefixLength == bits();
    }

    String address() {
      try {
        return io.netty.util.NetUtil.toAddressString(InetAddress.getByAddress(network));
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String toString() {
      return address() + "/" + prefixLength;
    }
  }

  private Blocks() {
  }

  /** The blocks covering exactly {@code addresses}, all of one family (4 or 16 bytes each), sorted and distinct. */
  static List<Block> merge(List<byte[]> addresses) {
    List<Block> blocks = new ArrayList<>();
    int i = 0;
    while (i < addresses.size()) {
      int bits = addresses.get(i).length * 8;
      BigInteger start = unsigned(addresses.get(i));
      BigInteger end = start;
      i++;
      while (i < addresses.size() && unsigned(addresses.get(i)).equals(end.add(BigInteger.ONE))) {
        end = end.add(BigInteger.ONE);
        i++;
      }
      cover(start, end, bits, blocks);
    }
    return blocks;
  }

  /** The largest aligned blocks from {@code start} to {@code end}, both included. */
  private static void cover(BigInteger start, BigInteger end, int bits, List<Block> blocks) {
    while (start.compareTo(end) <= 0) {
      // as many trailing zero bits as the start has, but no block reaching past the end
      int size = start.signum() == 0 ? bits : Math.min(start.getLowestSetBit(), bits);
      while (start.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(end) > 0) {
        size--;
      }
      blocks.add(new Block(bytes(start, bits / 8), bits - size));
      start = start.add(BigInteger.ONE.shiftLeft(size));
    }
  }

  /**
   * The same addresses in blocks whose prefix lengths the format accepts: {@code allowed} gives,
   * for a prefix length, the shortest accepted one at least as long (the block's length always is).
   */
  static List<Block> split(List<Block> blocks, IntUnaryOperator allowed) {
    List<Block> split = new ArrayList<>();
    for (Block block : blocks) {
      int prefix = allowed.applyAsInt(block.prefixLength());
      BigInteger first = unsigned(block.network());
      BigInteger step = BigInteger.ONE.shiftLeft(block.bits() - prefix);
      for (long n = 0; n < 1L << (prefix - block.prefixLength()); n++) {
        split.add(new Block(bytes(first.add(step.multiply(BigInteger.valueOf(n))), block.network().length), prefix));
      }
    }
    return split;
  }

  /** For IPv4 formats that write prefixes by octets: /8, /16, /24 or /32. */
  static int octetBoundary(int prefixLength) {
    return (prefixLength + 7) / 8 * 8;
  }

  private static BigInteger unsigned(byte[] address) {
    return new BigInteger(1, address);
  }

  private static byte[] bytes(BigInteger value, int length) {
    byte[] raw = value.toByteArray(); // big-endian, perhaps with a sign byte or fewer bytes
    byte[] address = new byte[length];
    int copy = Math.min(raw.length, length);
    System.arraycopy(raw, raw.length - copy, address, length - copy, copy);
    return address;
  }
}
