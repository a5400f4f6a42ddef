package dev.tsproc.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tsproc.data.Batch;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves and loads a {@link Timeline} as JSON ({@code --timeline run.json}), so runs can be
 * compared later ({@code tsproc report a.json b.json}).
 *
 * <pre>
 * {"format": "tsproc-timeline", "version": 1, "label": "...", "startEpochMillis": 0, "wallNanos": 0,
 *  "loadNanos": 0, "openedNanos": 0, "combinedNanos": 0,
 *  "configuration": {"workers": "2", ...},
 *  "batches": [{"batch": 0, "rowOffset": 0, "rows": 1048576, "worker": "worker-1", "attempt": 1,
 *               "queued": 0, "received": 0, "computeStart": 0, "computeEnd": 0, "resultReceived": 0,
 *               "heapBytes": 0, "rssBytes": 0, "privateBytes": 0}, ...]}
 * </pre>
 *
 * <p>{@code loadNanos}, the time a run took to load the files it was given into a store before
 * computing, is written only when not 0; timelines without it read as 0. {@code openedNanos}
 * and {@code combinedNanos} (when the job was open in every worker, when the last partial was
 * combined) are written when recorded; timelines without them read as -1, not recorded.
 */
public final class TimelineJson {
    private TimelineJson() {}

    private static final String FORMAT = "tsproc-timeline";
    private static final int VERSION = 1;
    private static final JsonFactory JSON = new JsonFactory();

    /** Writes {@code timeline} to {@code out}. */
    public static void write(Timeline timeline, Writer out) throws IOException {
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("format", FORMAT);
            json.writeNumberField("version", VERSION);
            json.writeStringField("label", timeline.label());
            json.writeNumberField("startEpochMillis", timeline.startEpochMillis());
            json.writeNumberField("wallNanos", timeline.wallNanos());
            if (timeline.loadNanos() != 0) {
                json.writeNumberField("loadNanos", timeline.loadNanos());
            }
            if (timeline.openedNanos() >= 0) {
                json.writeNumberField("openedNanos", timeline.openedNanos());
            }
            if (timeline.combinedNanos() >= 0) {
                json.writeNumberField("combinedNanos", timeline.combinedNanos());
            }
            json.writeObjectFieldStart("configuration");
            for (var e : timeline.configuration().entrySet()) {
                json.writeStringField(e.getKey(), e.getValue());
            }
            json.writeEndObject();
            json.writeArrayFieldStart("batches");
            for (BatchTimes b : timeline.batches()) {
                json.writeStartObject();
                json.writeNumberField("batch", b.batch().index());
                json.writeNumberField("rowOffset", b.batch().rowOffset());
                json.writeNumberField("rows", b.batch().rowCount());
                json.writeStringField("worker", b.worker());
                json.writeNumberField("attempt", b.attempt());
                json.writeNumberField("queued", b.queued());
                json.writeNumberField("received", b.received());
                json.writeNumberField("computeStart", b.computeStart());
                json.writeNumberField("computeEnd", b.computeEnd());
                json.writeNumberField("resultReceived", b.resultReceived());
                json.writeNumberField("heapBytes", b.heapBytes());
                json.writeNumberField("rssBytes", b.rssBytes());
                json.writeNumberField("privateBytes", b.privateBytes());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    /**
     * Reads a timeline written by {@link #write}.
     *
     * @throws TimelineFormatException naming the problem if the text is not such a timeline
     * @throws IOException              if reading fails
     */
    public static Timeline read(Reader in, String source) throws IOException {
        try (JsonParser json = JSON.createParser(in)) {
            expect(json.nextToken() == JsonToken.START_OBJECT, source, "it is not a JSON object");
            String format = null, label = "";
            long version = -1, start = 0, wall = 0, load = 0, opened = -1, combined = -1;
            Map<String, String> configuration = new LinkedHashMap<>();
            java.util.List<BatchTimes> batches = new java.util.ArrayList<>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String field = json.currentName();
                json.nextToken();
                switch (field) {
                    case "format" -> format = json.getValueAsString();
                    case "version" -> version = json.getValueAsLong(-1);
                    case "label" -> label = json.getValueAsString("");
                    case "startEpochMillis" -> start = json.getValueAsLong();
                    case "wallNanos" -> wall = json.getValueAsLong();
                    case "loadNanos" -> load = json.getValueAsLong();
                    case "openedNanos" -> opened = json.getValueAsLong(-1);
                    case "combinedNanos" -> combined = json.getValueAsLong(-1);
                    case "configuration" -> {
                        expect(json.currentToken() == JsonToken.START_OBJECT, source, "configuration is not an object");
                        while (json.nextToken() == JsonToken.FIELD_NAME) {
                            String key = json.currentName();
                            json.nextToken();
                            configuration.put(key, json.getValueAsString());
                        }
                    }
                    case "batches" -> {
                        expect(json.currentToken() == JsonToken.START_ARRAY, source, "batches is not an array");
                        while (json.nextToken() == JsonToken.START_OBJECT) {
                            batches.add(readBatch(json, source));
                        }
                    }
                    default -> json.skipChildren();
                }
            }
            expect(FORMAT.equals(format), source, format == null ? "it has no \"format\" field" : "its format is " + format + ", not " + FORMAT);
            expect(version == VERSION, source, "timeline version=" + version + " is not supported");
            Timeline timeline = new Timeline(label, start, configuration);
            batches.forEach(timeline::record);
            timeline.finish(wall);
            timeline.load(load);
            timeline.opened(opened);
            timeline.combined(combined);
            return timeline;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new TimelineFormatException(source + " is not a tsproc timeline: it is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
    }

    private static BatchTimes readBatch(JsonParser json, String source) throws IOException {
        Map<String, Long> numbers = new LinkedHashMap<>();
        String worker = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            json.nextToken();
            if (field.equals("worker")) {
                worker = json.getValueAsString();
            } else if (json.currentToken().isNumeric()) {
                numbers.put(field, json.getLongValue());
            } else {
                json.skipChildren();
            }
        }
        for (String required : new String[] {"batch", "rowOffset", "rows", "attempt", "queued", "received",
                "computeStart", "computeEnd", "resultReceived"}) {
            expect(numbers.containsKey(required), source, "a batch lacks the field " + required);
        }
        expect(worker != null, source, "a batch lacks the field worker");
        expect(numbers.get("batch") >= 0 && numbers.get("rowOffset") >= 0 && numbers.get("rows") >= 1, source,
                "a batch has batch=" + numbers.get("batch") + " rowOffset=" + numbers.get("rowOffset") + " rows=" + numbers.get("rows"));
        return new BatchTimes(new Batch(numbers.get("batch"), numbers.get("rowOffset"), numbers.get("rows")), worker,
                numbers.get("attempt").intValue(), numbers.get("queued"), numbers.get("received"),
                numbers.get("computeStart"), numbers.get("computeEnd"), numbers.get("resultReceived"),
                numbers.getOrDefault("heapBytes", -1L), numbers.getOrDefault("rssBytes", -1L),
                numbers.getOrDefault("privateBytes", -1L));
    }

    private static void expect(boolean ok, String source, String problem) throws IOException {
        if (!ok) {
            throw new TimelineFormatException(source + " is not a tsproc timeline: " + problem);
        }
    }
}
