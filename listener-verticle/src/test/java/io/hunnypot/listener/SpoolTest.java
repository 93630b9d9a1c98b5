package io.hunnypot.listener;

import io.hunnypot.config.HunnypotConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spool on a real folder: files written whole, read oldest first, kept across a reopening. */
@ExtendWith(VertxExtension.class)
class SpoolTest {

  private static final HunnypotConfig.Spool ROOMY = new HunnypotConfig.Spool(10_000, 64, 1000);

  @TempDir
  Path dir;
  private Context context;

  @BeforeEach
  void context(Vertx vertx) {
    context = vertx.getOrCreateContext();
  }

  /** Runs on one event-loop context, as the listener does, and waits for the result. */
  private <T> T on(Supplier<Future<T>> action) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(done));
    return done.future().await();
  }

  private Spool open(HunnypotConfig.Spool limits) {
    return on(() -> Spool.open(context.owner(), dir, limits));
  }

  private static JsonObject sighting(int n) {
    return new JsonObject().put("id", "sighting-" + n).put("helo", "h" + n + ".example");
  }

  private static List<Integer> numbers(List<Spool.Read> read) {
    return read.stream().flatMap(file -> file.sightings().stream())
        .map(s -> Integer.parseInt(s.getString("id").substring("sighting-".length()))).toList();
  }

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  @DisplayName("appends that arrive together are written as one file, at most 500 sightings each, and read back oldest first")
  void groupCommit() throws IOException {
    Spool spool = open(ROOMY);
    on(() -> Future.all(IntStream.range(0, 1_200).mapToObj(n -> spool.append(sighting(n))).toList()));
    assertThat(spool.depth()).isEqualTo(1_200);
    assertThat(spool.stored()).isEqualTo(1_200);
    assertThat(names()).as("the first append alone, then the rest in files of at most 500")
        .containsExactly("0000000000000001-1.sightings", "0000000000000002-500.sightings",
            "0000000000000003-500.sightings", "0000000000000004-199.sightings", "lock");

    List<Spool.Read> first = on(() -> spool.oldest(SightingDelivery.REPLAY_WINDOW));
    assertThat(numbers(first)).as("whole files up to the window").isEqualTo(IntStream.range(0, 1).boxed().toList());
    on(() -> spool.remove(first.stream().map(Spool.Read::file).toList()));
    List<Spool.Read> second = on(() -> spool.oldest(SightingDelivery.REPLAY_WINDOW));
    assertThat(numbers(second)).isEqualTo(IntStream.range(1, 501).boxed().toList());
    on(() -> spool.remove(second.stream().map(Spool.Read::file).toList()));
    assertThat(spool.depth()).isEqualTo(699);
    assertThat(names()).doesNotContain("0000000000000001-1.sightings", "0000000000000002-500.sightings");
  }

  @Test
  @DisplayName("a reopened spool finds what was written, in order, and drops a temporary file a crash left behind")
  void survivesReopening() throws IOException {
    Spool first = open(ROOMY);
    for (int n = 0; n < 3; n++) {
      int number = n;
      on(() -> first.append(sighting(number)));
    }
    long bytes = first.bytes();
    on(first::close);
    Files.writeString(dir.resolve("4.tmp"), "{\"id\":\"half-writ");

    Spool second = open(ROOMY);
    assertThat(second.depth()).isEqualTo(3);
    assertThat(second.bytes()).isEqualTo(bytes);
    assertThat(numbers(on(() -> second.oldest(100)))).containsExactly(0, 1, 2);
    assertThat(names()).doesNotContain("4.tmp");
    on(() -> second.append(sighting(3)));
    assertThat(names()).contains("0000000000000004-1.sightings");
  }

  @Test
  @DisplayName("the spool is full at spool.maxSightings, or at spool.maxMegabytes on disk")
  void bounds() {
    Spool bySightings = open(new HunnypotConfig.Spool(3, 64, 1000));
    on(() -> Future.all(bySightings.append(sighting(1)), bySightings.append(sighting(2))));
    assertThat(bySightings.isFull()).isFalse();
    on(() -> bySightings.append(sighting(3)));
    assertThat(bySightings.isFull()).isTrue();
    on(bySightings::close);

    Path other = dir.resolve("other");
    Spool byBytes = on(() -> Spool.open(context.owner(), other, new HunnypotConfig.Spool(1_000_000, 1, 1000)));
    String big = "x".repeat(1024 * 1024);
    on(() -> byBytes.append(new JsonObject().put("id", "big").put("padding", big)));
    assertThat(byBytes.isFull()).isTrue();
  }

  @Test
  @DisplayName("a closed spool takes no more appends, and another one may then open its folder")
  void closedSpool() {
    Spool spool = open(ROOMY);
    assertThatThrownBy(() -> open(ROOMY)).hasMessageContaining("in use by another listener");
    on(spool::close);
    assertThatThrownBy(() -> on(() -> spool.append(sighting(1)))).hasMessageContaining("closed");
    assertThat(open(ROOMY).isEmpty()).isTrue();
  }
}
