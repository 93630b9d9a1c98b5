package io.hunnypot.listener;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a client's bytes into command lines, one frame at a time: {@link #feed} a read, then
 * call {@link #next} until it answers {@link Frame#NEED_MORE}. CRLF and a bare LF both end a
 * line. A line over the cap is reported once, at its end, and never held in memory. A NUL
 * byte, or 0x16 (a TLS handshake record) at the start of a line, means the client is not
 * speaking SMTP. Between reads nothing is held unless a line is split across them.
 */
final class LineParser {

  enum Frame { LINE, TOO_LONG, BINARY, NEED_MORE }

  private static final byte TLS_HANDSHAKE = 0x16;

  /** Longest line content, its ending excluded. */
  private final int maxContent;

  /** The start of a line whose end has not arrived yet. */
  private byte[] pending;
  private int pendingLength;
  /** Inside an over-long line: dropping bytes up to its end. */
  private boolean discarding;

  private byte[] data;
  private int position;
  private int limit;
  private String line;

  /** @param maxLineLength the longest line, CRLF included */
  LineParser(int maxLineLength) {
    this.maxContent = maxLineLength - 2;
  }

  void feed(byte[] data, int from, int to) {
    this.data = data;
    this.position = from;
    this.limit = to;
  }

  Frame next() {
    int start = position;
    boolean atLineStart = pendingLength == 0 && !discarding;
    for (int i = start; i < limit; i++) {
      byte b = data[i];
      if (b == 0 || (b == TLS_HANDSHAKE && i == start && atLineStart)) {
        release();
        return Frame.BINARY;
      }
      if (b == '\n') {
        position = i + 1;
        return complete(start, i);
      }
    }
    hold(start, limit);
    data = null;
    return Frame.NEED_MORE;
  }

  /** The text of the last {@link Frame#LINE}, its ending removed. */
  String line() {
    return line;
  }

  private Frame complete(int start, int end) {
    if (discarding) {
      discarding = false;
      return Frame.TOO_LONG;
    }
    int length = pendingLength + end - start;
    byte last = end > start ? data[end - 1] : length > 0 ? pending[pendingLength - 1] : 0;
    int content = last == '\r' ? length - 1 : length;
    if (content > maxContent) {
      release();
      return Frame.TOO_LONG;
    }
    if (pendingLength == 0) {
      line = new String(data, start, content, StandardCharsets.UTF_8);
    } else {
      hold(start, end);
      line = new String(pending, 0, content, StandardCharsets.UTF_8);
      release();
    }
    return Frame.LINE;
  }

  /** Keeps the start of an unfinished line, or gives up on it once it cannot fit. */
  private void hold(int from, int to) {
    if (discarding || to == from) {
      return;
    }
    int length = pendingLength + to - from;
    int capacity = maxContent + 1; // room for the CR before the LF
    if (length > capacity) {
      release();
      discarding = true;
      return;
    }
    if (pending == null) {
      pending = new byte[Math.min(Math.max(64, length), capacity)];
    } else if (pending.length < length) {
      pending = Arrays.copyOf(pending, Math.min(Math.max(length, pending.length * 2), capacity));
    }
    System.arraycopy(data, from, pending, pendingLength, to - from);
    pendingLength = length;
  }

  private void release() {
    pending = null;
    pendingLength = 0;
  }
}
