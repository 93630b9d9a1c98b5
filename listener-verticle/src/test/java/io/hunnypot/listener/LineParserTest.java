package io.hunnypot.listener;

import io.hunnypot.listener.LineParser.Frame;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LineParserTest {

  private static final int MAX_LINE_LENGTH = 64; // CRLF included: 62 bytes of content

  private final LineParser parser = new LineParser(MAX_LINE_LENGTH);

  /** Feeds each read in turn and lists what came out: a line's text, or the frame's name. */
  private List<String> frames(String... reads) {
    List<String> frames = new ArrayList<>();
    for (String read : reads) {
      byte[] bytes = read.getBytes(StandardCharsets.ISO_8859_1);
      parser.feed(bytes, 0, bytes.length);
      for (Frame frame = parser.next(); frame != Frame.NEED_MORE; frame = parser.next()) {
        frames.add(frame == Frame.LINE ? parser.line() : frame.name());
        if (frame == Frame.BINARY) {
          return frames;
        }
      }
    }
    return frames;
  }

  @Test
  @DisplayName("CRLF and a bare LF both end a line, and the ending is not part of it")
  void lineEndings() {
    assertThat(frames("HELO a\r\nNOOP\nQUIT\r\n")).containsExactly("HELO a", "NOOP", "QUIT");
  }

  @Test
  @DisplayName("an empty line is a line")
  void emptyLine() {
    assertThat(frames("\r\n\n")).containsExactly("", "");
  }

  @Test
  @DisplayName("a line split across reads, even between CR and LF, comes out whole once its end arrives")
  void splitLine() {
    assertThat(frames("HE", "LO a", "\r", "\nNO", "OP\r\n")).containsExactly("HELO a", "NOOP");
  }

  @Test
  @DisplayName("a line without its end yet gives nothing")
  void unfinishedLine() {
    assertThat(frames("HELO a")).isEmpty();
  }

  @Test
  @DisplayName("a line of exactly the cap, CRLF included, is accepted; one byte more is too long")
  void capBoundary() {
    String longest = "x".repeat(MAX_LINE_LENGTH - 2);
    assertThat(frames(longest + "\r\n")).containsExactly(longest);
    assertThat(frames(longest + "x\r\n")).containsExactly("TOO_LONG");
    assertThat(frames(longest + "x\n")).containsExactly("TOO_LONG");
  }

  @Test
  @DisplayName("a too-long line is reported once, at its end, however many reads it spans, and the next line is read normally")
  void tooLongAcrossReads() {
    String chunk = "y".repeat(50);
    assertThat(frames(chunk, chunk, chunk, chunk + "\r\nNOOP\r\n")).containsExactly("TOO_LONG", "NOOP");
  }

  @Test
  @DisplayName("a 10 kB line in one read is too long, without an exception")
  void hugeLine() {
    assertThat(frames("z".repeat(10_240) + "\r\nQUIT\r\n")).containsExactly("TOO_LONG", "QUIT");
  }

  @Test
  @DisplayName("a NUL byte anywhere is binary input, after the lines before it")
  void nulByte() {
    assertThat(frames("NOOP\r\nHE\0LO\r\nQUIT\r\n")).containsExactly("NOOP", "BINARY");
  }

  @Test
  @DisplayName("0x16 at the start of a line is a TLS handshake record")
  void tlsRecord() {
    assertThat(frames("\u0016\u0003\u0001\u0002\u0000")).containsExactly("BINARY");
    assertThat(frames("NOOP\r\n\u0016\u0003\u0001")).containsExactly("NOOP", "BINARY");
  }

  @Test
  @DisplayName("other bytes, 8-bit ones included, are text: UTF-8 is decoded, invalid bytes replaced")
  void eightBit() {
    byte[] bytes = {'H', 'E', 'L', 'O', ' ', (byte) 0xc3, (byte) 0xa9, (byte) 0xff, '\r', '\n'};
    parser.feed(bytes, 0, bytes.length);
    assertThat(parser.next()).isEqualTo(Frame.LINE);
    assertThat(parser.line()).isEqualTo("HELO \u00e9\ufffd");
  }

  @Test
  @DisplayName("only the part of a read it is fed is parsed")
  void feedsARange() {
    byte[] bytes = "NOOP\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII);
    parser.feed(bytes, 0, 8);
    assertThat(parser.next()).isEqualTo(Frame.LINE);
    assertThat(parser.line()).isEqualTo("NOOP");
    assertThat(parser.next()).isEqualTo(Frame.NEED_MORE);
  }
}
