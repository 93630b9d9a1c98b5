package io.hunnypot.listener;

/**
 * Makes client-given text (HELO names, addresses) fit a PostgreSQL {@code text} column and a
 * log line: control characters, NUL among them, become {@code \xNN}, and the length is capped.
 */
final class StoredText {

  static final int MAX_LENGTH = 255;

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private StoredText() {
  }

  static String of(String text) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH));
    for (int i = 0; i < text.length() && out.length() < MAX_LENGTH; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        out.append('\\').append('x').append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
      } else {
        out.append(c);
      }
    }
    if (out.length() > MAX_LENGTH) {
      out.setLength(MAX_LENGTH);
    }
    // A surrogate pair cut in half would not encode.
    if (!out.isEmpty() && Character.isHighSurrogate(out.charAt(out.length() - 1))) {
      out.setLength(out.length() - 1);
    }
    return out.toString();
  }
}
