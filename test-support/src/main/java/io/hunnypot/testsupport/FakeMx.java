package io.hunnypot.testsupport;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a primary MX that the MX monitor probes: a socket on a loopback address
 * that either greets {@code 220} (a live primary) or accepts and never says a word (a hung
 * one). A primary that refuses connections is simply an address where nothing listens.
 */
public final class FakeMx implements Closeable {

  private final ServerSocket server;
  private final boolean greets;
  private final AtomicInteger connections = new AtomicInteger();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private FakeMx(ServerSocket server, boolean greets) {
    this.server = server;
    this.greets = greets;
    Thread acceptor = new Thread(this::accept, "fake-mx-" + server.getLocalSocketAddress());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** A live primary on {@code address} and {@code port} (0: a free one): greets 220, answers QUIT with 221. */
  public static FakeMx greeting(String address, int port) throws IOException {
    return new FakeMx(bind(address, port), true);
  }

  /** A hung primary: accepts the connection, then stays silent until the prober gives up. */
  public static FakeMx silent(String address, int port) throws IOException {
    return new FakeMx(bind(address, port), false);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Connections accepted so far: the probes that reached it. */
  public int connections() {
    return connections.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : open) {
      socket.close();
    }
  }

  private static ServerSocket bind(String address, int port) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(address, port), 1024);
    return server;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        open.add(socket);
        if (greets) {
          Thread session = new Thread(() -> greet(socket), "fake-mx-session");
          session.setDaemon(true);
          session.start();
        }
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void greet(Socket socket) {
    try (socket; var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))) {
      OutputStream out = socket.getOutputStream();
      out.write("220 primary.test ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        boolean quit = line.trim().equalsIgnoreCase("QUIT");
        out.write((quit ? "221 2.0.0 Bye\r\n" : "250 2.0.0 Ok\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        if (quit) {
          return;
        }
      }
    } catch (IOException gone) {
      // the prober hung up first
    } finally {
      open.remove(socket);
    }
  }
}
