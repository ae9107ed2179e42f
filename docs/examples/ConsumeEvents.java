// news.events in a consumer group, as a table: the latest state of each event by its key.
//
//   java -cp "$HOME/.cache/newsstream/kafka/4.1.2/lib/*" docs/examples/ConsumeEvents.java \
//       127.0.0.1:9092 my-group [IDLE_SECONDS]
//
// Java 17 runs the file as is (no build step). Its dependencies are kafka-clients and
// jackson-databind, both among the jars `make jars` fetched for the local broker; in a Maven
// project: org.apache.kafka:kafka-clients and com.fasterxml.jackson.core:jackson-databind.
// Prints one line per record: the event's state (open, closed, merged, tombstone), its key
// and members; offsets are committed after each batch is applied (at-least-once: applying the
// latest record per key again changes nothing).

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;

public class ConsumeEvents {
  static final String KNOWN_VERSION = "1";

  public static void main(String[] args) throws Exception {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    long idleMillis = args.length > 2 ? (long) (Double.parseDouble(args[2]) * 1000) : Long.MAX_VALUE;

    ObjectMapper json = new ObjectMapper();
    Map<String, JsonNode> events = new HashMap<>(); // event key -> its latest record
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      consumer.subscribe(List.of("news.events"));
      long last = System.currentTimeMillis();
      while (System.currentTimeMillis() - last < idleMillis) {
        var records = consumer.poll(Duration.ofMillis(500));
        if (records.isEmpty()) continue;
        last = System.currentTimeMillis();
        for (ConsumerRecord<String, String> record : records) {
          if (record.value() == null) { // a tombstone: the event closed a while ago
            events.remove(record.key());
            System.out.println("tombstone " + record.key());
            continue;
          }
          Header version = record.headers().lastHeader("schema-version");
          String v = version == null ? null : new String(version.value(), StandardCharsets.UTF_8);
          if (!KNOWN_VERSION.equals(v)) { // a major version this code was not written for
            System.out.println("set-aside " + record.key() + " schema-version " + v);
            continue;
          }
          JsonNode event = json.readTree(record.value());
          events.put(record.key(), event);
          String state = !event.get("merged_into").isNull() ? "merged"
              : event.get("closed").asBoolean() ? "closed" : "open";
          StringBuilder ids = new StringBuilder();
          for (JsonNode member : event.get("members")) ids.append(' ').append(member.get("id").asText());
          System.out.printf("%s %s %d/%d%s%s%n", state, record.key(), event.get("members").size(),
              event.get("member_count").asInt(), ids,
              state.equals("merged") ? " into " + event.get("merged_into").asText() : "");
        }
        consumer.commitSync(); // after the batch is applied
      }
    }
    System.out.println("events " + events.size());
  }
}
