package io.hunnypot.launcher;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;

/** A plain HTTP client for the end-to-end tests: GET a path of the node's API, as JSON. */
final class HttpJson {

  record Response(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int port;

  HttpJson(int port) {
    this.port = port;
  }

  Response get(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), response.body());
  }

  /** GETs the path until its JSON satisfies the condition; sightings are stored a moment after a session ends. */
  JsonObject await(String path, Predicate<JsonObject> condition) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      Response response = get(path);
      if (response.status() == 200 && condition.test(response.json())) {
        return response.json();
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("GET " + path + " never satisfied the condition; last answer "
            + response.status() + " " + response.body());
      }
      Thread.sleep(100);
    }
  }
}
