package io.hunnypot.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain blocking SMTP client for tests: it sends exactly the bytes it is given and reads
 * replies as they come, so that tests can speak both good and broken SMTP to a server.
 * Every read waits at most the timeout given to {@link #connect}; none blocks forever.
 */
public final class SmtpClient implements Closeable {

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** One SMTP reply: its code, and the text of each line without the {@code "250-"} prefix. */
  public record Reply(int code, List<String> lines) {

    public Reply {
      lines = List.copyOf(lines);
    }

    /** The text of the last line, e.g. {@code "4.3.0 Try again later"}. */
    public String text() {
      return lines.get(lines.size() - 1);
    }

    @Override
    public String toString() {
      return code + " " + String.join(" | ", lines);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private SmtpClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static SmtpClient connect(String host, int port) throws IOException {
    return connect(host, port, DEFAULT_TIMEOUT);
  }

  /** Connects; {@code timeout} bounds the connection and every later read. */
  public static SmtpClient connect(String host, int port, Duration timeout) throws IOException {
    return connectFrom(null, host, port, timeout);
  }

  /**
   * Connects from a chosen local address, so that one test machine can play many clients
   * (any of 127.0.0.0/8 works on loopback); null lets the system choose.
   */
  public static SmtpClient connectFrom(String localAddress, String host, int port, Duration timeout) throws IOException {
    Socket socket = new Socket();
    try {
      if (localAddress != null) {
        socket.bind(new InetSocketAddress(localAddress, 0));
      }
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) timeout.toMillis());
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      return new SmtpClient(socket);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /**
   * Reads one whole reply, multi-line or not.
   *
   * @throws EOFException           if the server closed the connection first
   * @throws SocketTimeoutException if no whole reply came in time
   */
  public Reply readReply() throws IOException {
    List<String> lines = new ArrayList<>();
    while (true) {
      String line = readLine();
      if (!line.matches("\\d{3}([ -].*)?")) {
        throw new IOException("not an SMTP reply line: '" + line + "'");
      }
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (line.length() == 3 || line.charAt(3) == ' ') {
        return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
      }
    }
  }

  /** Sends one command line; CRLF is added. */
  public void send(String line) throws IOException {
    sendRaw((line + "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a command and reads its reply. */
  public Reply command(String line) throws IOException {
    send(line);
    return readReply();
  }

  /** Sends these bytes as they are, in one write. */
  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /**
   * Whether the server has closed the connection: skips whatever it still sends and returns
   * true at the end of the stream (or a reset), false if the stream stays open for the
   * timeout given to {@link #connect}.
   */
  public boolean isClosedByServer() throws IOException {
    try {
      while (in.read() != -1) {
        // Replies not read yet are not the question here.
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset by the server
    }
  }

  /** This client's own port: the client port a server reports for the session. */
  public int localPort() {
    return socket.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b == -1) {
        throw new EOFException("connection closed by the server"
            + (line.size() > 0 ? " after '" + line.toString(StandardCharsets.UTF_8) + "'" : ""));
      }
      line.write(b);
    }
    String text = line.toString(StandardCharsets.UTF_8);
    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
  }
}
