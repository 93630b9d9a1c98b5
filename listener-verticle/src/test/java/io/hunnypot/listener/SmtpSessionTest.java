package io.hunnypot.listener;

import io.hunnypot.config.ConfigLoader;
import io.hunnypot.contract.SessionEnd;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class SmtpSessionTest {

  private static final SessionSettings SETTINGS = SessionSettings.from(ConfigLoader.load(Optional.empty(), Map.of(
      "HUNNYPOT_SMTP_HOSTNAME", "mx.test",
      "HUNNYPOT_SMTP_MAX_LINE_LENGTH", "100",
      "HUNNYPOT_SMTP_MAX_BYTES", "1024",
      "HUNNYPOT_SMTP_MAX_RECIPIENTS", "3",
      "HUNNYPOT_SMTP_MAX_ERRORS", "4")).smtp());

  private final List<String> domains = new ArrayList<>();
  private final SmtpSession session = new SmtpSession(SETTINGS, domains::add);

  private String send(String input) {
    return session.receive(input.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends each command as its own read and returns the reply to the last one. */
  private String dialogue(String... commands) {
    String reply = "";
    for (String command : commands) {
      reply = send(command + "\r\n");
    }
    return reply;
  }

  static Stream<Arguments> replies() {
    return Stream.of(
        arguments("HELO is answered with the host name", "250 mx.test", List.of("HELO client.example")),
        arguments("EHLO lists PIPELINING, SIZE and 8BITMIME, multi-line",
            "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES",
            List.of("EHLO client.example")),
        arguments("HELO without a name is a syntax error", "501 5.5.4 Syntax: HELO hostname", List.of("HELO")),
        arguments("EHLO without a name is a syntax error", "501 5.5.4 Syntax: EHLO hostname", List.of("EHLO  ")),
        arguments("commands are case-insensitive", "250 2.1.0 Ok", List.of("ehlo c", "mail from:<a@b.example>")),
        arguments("MAIL is accepted after HELO", "250 2.1.0 Ok", List.of("HELO c", "MAIL FROM:<a@b.example>")),
        arguments("MAIL takes parameters", "250 2.1.0 Ok", List.of("EHLO c", "MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME")),
        arguments("MAIL takes the null sender", "250 2.1.0 Ok", List.of("HELO c", "MAIL FROM:<>")),
        arguments("MAIL takes a bare address, as lenient servers do", "250 2.1.0 Ok", List.of("HELO c", "MAIL FROM: a@b.example")),
        arguments("MAIL before HELO is a bad sequence", "503 5.5.1 Error: send HELO/EHLO first", List.of("MAIL FROM:<a@b.example>")),
        arguments("MAIL without FROM: is a syntax error", "501 5.5.4 Syntax: MAIL FROM:<address>", List.of("HELO c", "MAIL <a@b.example>")),
        arguments("MAIL without an address is a syntax error", "501 5.5.4 Syntax: MAIL FROM:<address>", List.of("HELO c", "MAIL FROM:")),
        arguments("MAIL with an unclosed path is a syntax error", "501 5.5.4 Syntax: MAIL FROM:<address>", List.of("HELO c", "MAIL FROM:<a@b")),
        arguments("a nested MAIL is a bad sequence", "503 5.5.1 Error: nested MAIL command",
            List.of("HELO c", "MAIL FROM:<a@b.example>", "MAIL FROM:<c@d.example>")),
        arguments("RCPT is accepted after MAIL", "250 2.1.5 Ok", List.of("HELO c", "MAIL FROM:<>", "RCPT TO:<u@d.example>")),
        arguments("RCPT before MAIL is a bad sequence", "503 5.5.1 Error: need MAIL command", List.of("HELO c", "RCPT TO:<u@d.example>")),
        arguments("RCPT without TO: is a syntax error", "501 5.5.4 Syntax: RCPT TO:<address>",
            List.of("HELO c", "MAIL FROM:<>", "RCPT <u@d.example>")),
        arguments("RCPT to the null address is a syntax error", "501 5.5.4 Syntax: RCPT TO:<address>",
            List.of("HELO c", "MAIL FROM:<>", "RCPT TO:<>")),
        arguments("DATA before MAIL is a bad sequence", "503 5.5.1 Error: need MAIL command", List.of("HELO c", "DATA")),
        arguments("DATA before RCPT is a bad sequence", "503 5.5.1 Error: need RCPT command", List.of("HELO c", "MAIL FROM:<>", "DATA")),
        arguments("DATA is answered 451 4.3.0, a temporary failure", "451 4.3.0 Temporary failure, please try again later",
            List.of("HELO c", "MAIL FROM:<>", "RCPT TO:<u@d.example>", "DATA")),
        arguments("after DATA the transaction is over: RCPT needs a new MAIL", "503 5.5.1 Error: need MAIL command",
            List.of("HELO c", "MAIL FROM:<>", "RCPT TO:<u@d.example>", "DATA", "RCPT TO:<v@d.example>")),
        arguments("after DATA the session goes on with a new MAIL", "250 2.1.0 Ok",
            List.of("HELO c", "MAIL FROM:<>", "RCPT TO:<u@d.example>", "DATA", "MAIL FROM:<>")),
        arguments("RSET is answered 250", "250 2.0.0 Ok", List.of("RSET")),
        arguments("RSET ends the transaction", "503 5.5.1 Error: need MAIL command",
            List.of("HELO c", "MAIL FROM:<>", "RSET", "RCPT TO:<u@d.example>")),
        arguments("EHLO ends the transaction", "503 5.5.1 Error: need MAIL command",
            List.of("HELO c", "MAIL FROM:<>", "EHLO c", "RCPT TO:<u@d.example>")),
        arguments("NOOP is answered 250", "250 2.0.0 Ok", List.of("NOOP")),
        arguments("VRFY is answered 252", "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery",
            List.of("VRFY postmaster")),
        arguments("QUIT is answered 221", "221 2.0.0 Bye", List.of("QUIT")),
        arguments("an unknown command is answered 500", "500 5.5.2 Error: command not recognized", List.of("FOO bar")),
        arguments("an empty line is answered 500", "500 5.5.2 Error: command not recognized", List.of("")),
        arguments("a verb must be the whole first word", "500 5.5.2 Error: command not recognized", List.of("HELOX c")),
        arguments("a line over the cap is answered 500 5.5.2", "500 5.5.2 Error: line too long", List.of("NOOP " + "x".repeat(200))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  @DisplayName("each command gets its reply")
  void reply(String promise, String expected, List<String> commands) {
    assertThat(dialogue(commands.toArray(String[]::new))).isEqualTo(expected + "\r\n");
  }

  @ParameterizedTest(name = "{0} is answered 502")
  @ValueSource(strings = {"EXPN list", "HELP", "ETRN d.example", "STARTTLS", "AUTH PLAIN AGFhAGI=", "BDAT 100 LAST", "TURN", "starttls"})
  @DisplayName("a known command that is not offered is answered 502")
  void notImplemented(String command) {
    assertThat(dialogue(command)).isEqualTo("502 5.5.1 Error: command not implemented\r\n");
    assertThat(session.isOver()).isFalse();
  }

  @Test
  @DisplayName("the greeting names the host and ESMTP")
  void greeting() {
    assertThat(session.greeting()).isEqualTo("220 mx.test ESMTP\r\n");
  }

  @Test
  @DisplayName("QUIT ends the session; nothing after it is answered")
  void quit() {
    assertThat(send("QUIT\r\nNOOP\r\n")).isEqualTo("221 2.0.0 Bye\r\n");
    assertThat(session.ending()).isEqualTo(SessionEnd.QUIT);
    assertThat(send("NOOP\r\n")).isEmpty();
  }

  @Test
  @DisplayName("a pipelined read is answered in order, all in one piece")
  void pipelining() {
    assertThat(send("EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@d.example>\r\nDATA\r\nQUIT\r\n")).isEqualTo(
        "250-mx.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n"
            + "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n451 4.3.0 Temporary failure, please try again later\r\n221 2.0.0 Bye\r\n");
  }

  @Test
  @DisplayName("the session keeps what the sighting reports: HELO name, last sender, every recipient, bytes, commands")
  void sightingState() {
    String input = "EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<u@D.example>\r\nDATA\r\n"
        + "MAIL FROM:<>\r\nRCPT TO:<v@e.example.>\r\nRSET\r\n";
    send(input);
    assertThat(session.helo()).isEqualTo("client.example");
    assertThat(session.sender()).isEqualTo("");
    assertThat(session.recipients()).containsExactly("u@D.example", "v@e.example.");
    assertThat(session.bytes()).isEqualTo(input.length());
    assertThat(session.commands()).isEqualTo(7);
    assertThat(session.ending()).isNull();
  }

  @Test
  @DisplayName("each accepted recipient's domain is told at once, lower case, without a trailing dot")
  void recipientDomains() {
    dialogue("HELO c", "MAIL FROM:<>", "RCPT TO:<u@D.Example>", "RCPT TO:<postmaster>", "RCPT TO:<w@e.example.>", "RCPT TO:<>");
    assertThat(domains).containsExactly("d.example", "e.example");
    assertThat(session.recipients()).containsExactly("u@D.Example", "postmaster", "w@e.example.");
  }

  @Test
  @DisplayName("control characters from the client are escaped before they are kept")
  void storedTextIsClean() {
    send("HELO bad\u001bname\r\nMAIL FROM:<a\rb@c.example>\r\n");
    assertThat(session.helo()).isEqualTo("bad\\x1bname");
    assertThat(session.sender()).isEqualTo("a\\x0db@c.example");
  }

  @Test
  @DisplayName("recipients past smtp.maxRecipients are answered 452 and not kept")
  void recipientLimit() {
    dialogue("HELO c", "MAIL FROM:<>", "RCPT TO:<a@d.example>", "RCPT TO:<b@d.example>", "RCPT TO:<c@d.example>");
    assertThat(dialogue("RCPT TO:<d@d.example>")).isEqualTo("452 4.5.3 Error: too many recipients\r\n");
    assertThat(session.recipients()).hasSize(3);
    assertThat(dialogue("DATA")).startsWith("451 4.3.0");
  }

  @Test
  @DisplayName("after smtp.maxErrors bad commands the client gets 421 and the session ends as a protocol error")
  void errorLimit() {
    assertThat(send("FOO\r\nHELO\r\nDATA\r\n")).isEqualTo(
        "500 5.5.2 Error: command not recognized\r\n501 5.5.4 Syntax: HELO hostname\r\n503 5.5.1 Error: need MAIL command\r\n");
    assertThat(session.isOver()).isFalse();
    assertThat(send("EXPN x\r\nNOOP\r\n")).isEqualTo(
        "502 5.5.1 Error: command not implemented\r\n421 4.7.0 Error: too many errors\r\n");
    assertThat(session.ending()).isEqualTo(SessionEnd.PROTOCOL_ERROR);
  }

  @Test
  @DisplayName("a too-long line is answered 500 and the session goes on")
  void lineTooLong() {
    assertThat(send("x".repeat(99) + "\r\nNOOP\r\n")).isEqualTo("500 5.5.2 Error: line too long\r\n250 2.0.0 Ok\r\n");
    assertThat(session.commands()).isEqualTo(2);
    assertThat(session.isOver()).isFalse();
  }

  @Test
  @DisplayName("past smtp.maxBytes the commands within the cap are answered, then 421, ending byte-cap")
  void byteCap() {
    String noops = "NOOP\r\n".repeat(200); // 1200 bytes: 170 whole commands fit in 1024
    String replies = send(noops);
    assertThat(replies).isEqualTo("250 2.0.0 Ok\r\n".repeat(170) + "421 4.7.0 Error: too much data\r\n");
    assertThat(session.ending()).isEqualTo(SessionEnd.BYTE_CAP);
    assertThat(session.bytes()).isEqualTo(1200);
    assertThat(send("NOOP\r\n")).isEmpty();
    assertThat(session.bytes()).isEqualTo(1206);
  }

  @Test
  @DisplayName("binary input (a NUL byte) gets 421 and ends the session as a protocol error")
  void binary() {
    assertThat(send("NOOP\r\nHELO a\0b\r\n")).isEqualTo("250 2.0.0 Ok\r\n421 4.7.0 Error: protocol violation\r\n");
    assertThat(session.ending()).isEqualTo(SessionEnd.PROTOCOL_ERROR);
  }

  @Test
  @DisplayName("a TLS ClientHello gets 421 at once, without waiting for a line end")
  void tls() {
    byte[] clientHello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03};
    assertThat(session.receive(clientHello)).isEqualTo("421 4.7.0 Error: protocol violation\r\n");
    assertThat(session.ending()).isEqualTo(SessionEnd.PROTOCOL_ERROR);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"GET / HTTP/1.1", "POST /login HTTP/1.0", "CONNECT example.org:443 HTTP/1.1", "OPTIONS * HTTP/1.1", "HEAD / HTTP/2"})
  @DisplayName("an HTTP request line gets 421 and ends the session as a protocol error")
  void http(String requestLine) {
    assertThat(send(requestLine + "\r\nHost: x\r\n\r\n")).isEqualTo("421 4.7.0 Error: protocol violation\r\n");
    assertThat(session.ending()).isEqualTo(SessionEnd.PROTOCOL_ERROR);
  }

  @Test
  @DisplayName("idle timeout, shutdown and refusal each answer 421 once and set the ending")
  void endingsFromOutside() {
    assertThat(session.idleTimeout()).isEqualTo("421 4.4.2 Error: timeout exceeded\r\n");
    assertThat(session.ending()).isEqualTo(SessionEnd.IDLE_TIMEOUT);
    assertThat(session.shutdown()).isEmpty();
    assertThat(session.ending()).isEqualTo(SessionEnd.IDLE_TIMEOUT);

    SmtpSession other = new SmtpSession(SETTINGS, domain -> { });
    assertThat(other.shutdown()).isEqualTo("421 4.3.2 Service shutting down\r\n");
    assertThat(other.ending()).isEqualTo(SessionEnd.SHUTDOWN);

    SmtpSession refused = new SmtpSession(SETTINGS, domain -> { });
    assertThat(refused.refuse()).isEqualTo("421 4.7.0 Error: too many connections\r\n");
    assertThat(refused.ending()).isEqualTo(SessionEnd.CONNECTION_LIMIT);
  }

  @Test
  @DisplayName("a connection closed before the session ended was closed by the client; one that ended keeps its ending")
  void closed() {
    send("MAIL FRO");
    session.closed();
    assertThat(session.ending()).isEqualTo(SessionEnd.CLIENT_CLOSED);

    SmtpSession quit = new SmtpSession(SETTINGS, domain -> { });
    quit.receive("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
    quit.closed();
    assertThat(quit.ending()).isEqualTo(SessionEnd.QUIT);
  }
}
