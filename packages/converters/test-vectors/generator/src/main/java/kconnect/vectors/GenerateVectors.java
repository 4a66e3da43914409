package kconnect.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.connect.converters.BooleanConverter;
import org.apache.kafka.connect.converters.ByteArrayConverter;
import org.apache.kafka.connect.converters.DoubleConverter;
import org.apache.kafka.connect.converters.FloatConverter;
import org.apache.kafka.connect.converters.IntegerConverter;
import org.apache.kafka.connect.converters.LongConverter;
import org.apache.kafka.connect.converters.ShortConverter;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.HeaderConverter;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;
import org.apache.kafka.connect.storage.StringConverter;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.function.Supplier;

/**
 * Writes test vectors for the TypeScript converters from Apache Kafka's own converter classes:
 * json-converter.json (JsonConverter), simple-converters.json (String, ByteArray, number and boolean converters)
 * and simple-header-converter.json (SimpleHeaderConverter). Usage: GenerateVectors OUTPUT_DIR.
 *
 * Schemas are written in a neutral form ({type, optional, name, version, doc, parameters, default, keySchema,
 * valueSchema, fields:[{name, schema}]}) and values as tagged values ({t: int8|int16|int32|int64|float32|float64|
 * boolean|string|bytes|decimal|date|array|map|struct, v: ...}); floats carry their raw IEEE bits in hex, structs
 * their own schema.
 */
public final class GenerateVectors {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String TOPIC = "topic";

    public static void main(String[] args) throws Exception {
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        Path out = Paths.get(args.length > 0 ? args[0] : ".");
        Files.createDirectories(out);
        write(out.resolve("json-converter.json"), "org.apache.kafka.connect.json.JsonConverter", new JsonCases().build());
        write(out.resolve("simple-converters.json"), "org.apache.kafka.connect.{storage,converters}.*Converter", new SimpleCases().build());
        write(out.resolve("simple-header-converter.json"), "org.apache.kafka.connect.storage.SimpleHeaderConverter", new HeaderCases().build());
    }

    private static void write(Path file, String what, ArrayNode vectors) throws Exception {
        ObjectNode root = F.objectNode();
        root.put("generator", "packages/converters/test-vectors/generator (GenerateVectors.java)");
        root.put("source", what);
        root.put("kafkaVersion", AppInfoParser.getVersion());
        root.put("javaVersion", System.getProperty("java.version"));
        root.put("count", vectors.size());
        root.set("vectors", vectors);
        Files.writeString(file, MAPPER.writeValueAsString(root) + "\n");
        System.out.println("wrote " + vectors.size() + " vectors to " + file);
    }

    // ---------------------------------------------------------------- neutral forms

    static JsonNode schemaNode(Schema s) {
        if (s == null) return NullNode.instance;
        ObjectNode o = F.objectNode();
        o.put("type", s.type().name());
        o.put("optional", s.isOptional());
        if (s.name() != null) o.put("name", s.name());
        if (s.version() != null) o.put("version", s.version());
        if (s.doc() != null) o.put("doc", s.doc());
        if (s.parameters() != null) {
            ObjectNode p = o.putObject("parameters");
            s.parameters().forEach(p::put);
        }
        if (s.defaultValue() != null) o.set("default", tag(s.defaultValue()));
        if (s.type() == Schema.Type.MAP && s.keySchema() != null) o.set("keySchema", schemaNode(s.keySchema()));
        if ((s.type() == Schema.Type.MAP || s.type() == Schema.Type.ARRAY) && s.valueSchema() != null) {
            o.set("valueSchema", schemaNode(s.valueSchema()));
        }
        if (s.type() == Schema.Type.STRUCT) {
            ArrayNode fields = o.putArray("fields");
            for (Field f : s.fields()) {
                ObjectNode fn = fields.addObject();
                fn.put("name", f.name());
                fn.set("schema", schemaNode(f.schema()));
            }
        }
        return o;
    }

    static JsonNode tag(Object v) {
        if (v == null) return NullNode.instance;
        ObjectNode o = F.objectNode();
        if (v instanceof Byte b) {
            o.put("t", "int8").put("v", b.intValue());
        } else if (v instanceof Short s) {
            o.put("t", "int16").put("v", s.intValue());
        } else if (v instanceof Integer i) {
            o.put("t", "int32").put("v", i);
        } else if (v instanceof Long l) {
            o.put("t", "int64").put("v", l.toString());
        } else if (v instanceof Float f) {
            o.put("t", "float32").put("bits", String.format("%08x", Float.floatToRawIntBits(f))).put("s", f.toString());
        } else if (v instanceof Double d) {
            o.put("t", "float64").put("bits", String.format("%016x", Double.doubleToRawLongBits(d))).put("s", d.toString());
        } else if (v instanceof Boolean b) {
            o.put("t", "boolean").put("v", b);
        } else if (v instanceof String s) {
            o.put("t", "string").put("v", s);
        } else if (v instanceof byte[] b) {
            o.put("t", "bytes").put("v", Base64.getEncoder().encodeToString(b));
        } else if (v instanceof ByteBuffer bb) {
            byte[] b = new byte[bb.remaining()];
            bb.duplicate().get(b);
            o.put("t", "bytes").put("v", Base64.getEncoder().encodeToString(b));
        } else if (v instanceof BigDecimal d) {
            o.put("t", "decimal").put("v", d.toPlainString()).put("scale", d.scale());
        } else if (v instanceof java.util.Date d) {
            o.put("t", "date").put("v", d.getTime());
        } else if (v instanceof List<?> list) {
            o.put("t", "array");
            ArrayNode a = o.putArray("v");
            for (Object e : list) a.add(tag(e));
        } else if (v instanceof Map<?, ?> map) {
            o.put("t", "map");
            ArrayNode a = o.putArray("v");
            for (Map.Entry<?, ?> e : map.entrySet()) a.addArray().add(tag(e.getKey())).add(tag(e.getValue()));
        } else if (v instanceof Struct st) {
            o.put("t", "struct");
            o.set("schema", schemaNode(st.schema()));
            ArrayNode a = o.putArray("v");
            for (Field f : st.schema().fields()) a.addArray().add(f.name()).add(tag(st.getWithoutDefault(f.name())));
        } else {
            throw new IllegalArgumentException("cannot tag " + v.getClass());
        }
        return o;
    }

    static ObjectNode errorNode(Throwable e) {
        ObjectNode o = F.objectNode();
        o.put("class", e.getClass().getName());
        o.put("message", e.getMessage());
        if (e.getCause() != null) {
            o.put("causeClass", e.getCause().getClass().getName());
            o.put("causeMessage", e.getCause().getMessage());
        }
        return o;
    }

    static ObjectNode resultNode(SchemaAndValue sv) {
        ObjectNode o = F.objectNode();
        if (sv == null) {
            o.putNull("schema");
            o.putNull("value");
            o.put("javaReturnedNull", true);
            return o;
        }
        o.set("schema", schemaNode(sv.schema()));
        o.set("value", tag(sv.value()));
        return o;
    }

    static void putBytes(ObjectNode o, byte[] bytes) {
        if (bytes == null) {
            o.putNull("bytes");
            return;
        }
        o.put("bytes", Base64.getEncoder().encodeToString(bytes));
        try {
            o.put("text", StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            // not UTF-8: bytes only
        }
    }

    static Map<String, String> cfg(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    static ObjectNode cfgNode(Map<String, String> cfg) {
        ObjectNode o = F.objectNode();
        cfg.forEach(o::put);
        return o;
    }

    @SafeVarargs
    static <K, V> Map<K, V> map(Object... kv) {
        Map<K, V> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            @SuppressWarnings("unchecked") K k = (K) kv[i];
            @SuppressWarnings("unchecked") V v = (V) kv[i + 1];
            m.put(k, v);
        }
        return m;
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- JsonConverter

    static final class JsonCases {
        final ArrayNode out = F.arrayNode();

        JsonConverter converter(Map<String, String> cfg, boolean isKey) {
            JsonConverter c = new JsonConverter();
            c.configure(cfg, isKey);
            return c;
        }

        /** Serializes with Java, then reads Java's bytes back with the same config. */
        void w(String name, Map<String, String> cfg, Schema schema, Object value) {
            w(name, cfg, false, schema, value);
        }

        void w(String name, Map<String, String> cfg, boolean isKey, Schema schema, Object value) {
            ObjectNode v = out.addObject();
            v.put("kind", "write");
            v.put("name", name);
            v.set("config", cfgNode(cfg));
            v.put("isKey", isKey);
            v.set("schema", schemaNode(schema));
            v.set("value", tag(value));
            JsonConverter c = converter(cfg, isKey);
            byte[] bytes;
            try {
                bytes = c.fromConnectData(TOPIC, schema, value);
            } catch (Exception e) {
                v.put("kind", "writeError");
                v.set("error", errorNode(e));
                return;
            }
            putBytes(v, bytes);
            try {
                v.set("readBack", resultNode(converter(cfg, isKey).toConnectData(TOPIC, bytes)));
            } catch (Exception e) {
                v.set("readBackError", errorNode(e));
            }
        }

        /** Reads given bytes with Java. */
        void r(String name, Map<String, String> cfg, String text) {
            r(name, cfg, text == null ? null : utf8(text));
        }

        void r(String name, Map<String, String> cfg, byte[] input) {
            ObjectNode v = out.addObject();
            v.put("kind", "read");
            v.put("name", name);
            v.set("config", cfgNode(cfg));
            v.put("isKey", false);
            putBytes(v, input);
            try {
                v.set("result", resultNode(converter(cfg, false).toConnectData(TOPIC, input)));
            } catch (Exception e) {
                v.set("error", errorNode(e));
            }
        }

        /** Compact vectors: [raw IEEE bits in hex, JsonConverter output] for random values of every magnitude. */
        void floatFormats(String type, int n, long seed) {
            java.util.Random rnd = new java.util.Random(seed);
            boolean dbl = type.equals("float64");
            JsonConverter c = converter(cfg("schemas.enable", "false"), false);
            Schema schema = dbl ? Schema.FLOAT64_SCHEMA : Schema.FLOAT32_SCHEMA;
            ObjectNode v = out.addObject();
            v.put("kind", "floatFormat");
            v.put("name", type + " formatting of " + n + " values");
            v.put("type", type);
            ArrayNode cases = v.putArray("cases");
            List<Object> values = new ArrayList<>();
            if (dbl) {
                values.addAll(List.of(Double.MIN_VALUE, 2 * Double.MIN_VALUE, 1e23, 9.999999999999999e22, 1e22, 1e-5,
                    0.001, 0.0009999999999999998, 9999999.999999998, 1e7, 5e-324, 1.0E-322, Math.PI, Math.E, -1e-7));
                while (values.size() < n) {
                    double x = switch (values.size() % 3) {
                        case 0 -> Double.longBitsToDouble(rnd.nextLong());
                        case 1 -> (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(40) - 20);
                        default -> Math.round(rnd.nextDouble() * Math.pow(10, rnd.nextInt(12))) / Math.pow(10, rnd.nextInt(6));
                    };
                    if (!Double.isNaN(x) && !Double.isInfinite(x)) values.add(x);
                }
            } else {
                values.addAll(List.of(Float.MIN_VALUE, 2 * Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, 1e-5f,
                    0.001f, 9.999999e-4f, 9999999.0f, 1e7f, 3.3554432E7f, 0.3f, 2.7182817f));
                while (values.size() < n) {
                    float x = switch (values.size() % 3) {
                        case 0 -> Float.intBitsToFloat(rnd.nextInt());
                        case 1 -> (float) ((rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(20) - 10));
                        default -> (float) (Math.round(rnd.nextDouble() * Math.pow(10, rnd.nextInt(8))) / Math.pow(10, rnd.nextInt(4)));
                    };
                    if (!Float.isNaN(x) && !Float.isInfinite(x)) values.add(x);
                }
            }
            for (Object x : values) {
                String bits = dbl ? String.format("%016x", Double.doubleToRawLongBits((Double) x))
                    : String.format("%08x", Float.floatToRawIntBits((Float) x));
                cases.addArray().add(bits).add(new String(c.fromConnectData(TOPIC, schema, x), StandardCharsets.UTF_8));
            }
        }

        ArrayNode build() {
            Map<String, String> d = cfg();
            Map<String, String> off = cfg("schemas.enable", "false");
            Map<String, String> numeric = cfg("decimal.format", "NUMERIC");
            Map<String, String> numericOff = cfg("decimal.format", "numeric", "schemas.enable", "false");
            Map<String, String> keepNull = cfg("replace.null.with.default", "false");

            // primitives
            w("int8 0", d, Schema.INT8_SCHEMA, (byte) 0);
            w("int8 max", d, Schema.INT8_SCHEMA, Byte.MAX_VALUE);
            w("int8 min", d, Schema.INT8_SCHEMA, Byte.MIN_VALUE);
            w("int16 max", d, Schema.INT16_SCHEMA, Short.MAX_VALUE);
            w("int16 min", d, Schema.INT16_SCHEMA, Short.MIN_VALUE);
            w("int32 max", d, Schema.INT32_SCHEMA, Integer.MAX_VALUE);
            w("int32 min", d, Schema.INT32_SCHEMA, Integer.MIN_VALUE);
            w("int64 0", d, Schema.INT64_SCHEMA, 0L);
            w("int64 max", d, Schema.INT64_SCHEMA, Long.MAX_VALUE);
            w("int64 min", d, Schema.INT64_SCHEMA, Long.MIN_VALUE);
            w("int64 2^53+1", d, Schema.INT64_SCHEMA, 9007199254740993L);
            w("int64 2^53-1", d, Schema.INT64_SCHEMA, 9007199254740991L);
            w("int64 -1234567890123", d, Schema.INT64_SCHEMA, -1234567890123L);
            float[] floats = {0.1f, 1.0f, -0.0f, 0.0f, 1.5f, -2.75f, 3.4028235e38f, 1.17549435E-38f, 1e10f, 123456.79f,
                1.0e-3f, 9.999e-4f, 9999999f, 1.0e7f, 16777217f, 3.14159265f, 100f, Float.NaN,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
            for (float f : floats) w("float32 " + f, d, Schema.FLOAT32_SCHEMA, f);
            double[] doubles = {1.0, 0.1, -0.0, 0.0, 1e20, 1e21, 1e7, 9999999.0, 9999999.5, 0.001, 9.99e-4, 1.0E-4,
                1.7976931348623157E308, 2.2250738585072014E-308, 0.30000000000000004, 123.456, -2.5e-5, 100.0, 1e100,
                12345678901234567890.0, 4.35, 2.0 / 3.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
            for (double x : doubles) w("float64 " + x, d, Schema.FLOAT64_SCHEMA, x);
            w("boolean true", d, Schema.BOOLEAN_SCHEMA, true);
            w("boolean false", d, Schema.BOOLEAN_SCHEMA, false);
            w("string empty", d, Schema.STRING_SCHEMA, "");
            w("string ascii", d, Schema.STRING_SCHEMA, "hello world");
            w("string unicode", d, Schema.STRING_SCHEMA, "héllo wörld ✓ 日本語 😀 \u2028\u2029");
            w("string escapes", d, Schema.STRING_SCHEMA, "quote\" backslash\\ slash/ nl\n tab\t cr\r bs\b ff\f");
            w("string control chars", d, Schema.STRING_SCHEMA, "\u0000\u0001\u001f\u007f\u0080\u00ad<>&'");
            w("string \\u0041 literal", d, Schema.STRING_SCHEMA, "\\u0041 \\\\u001f");
            w("bytes empty", d, Schema.BYTES_SCHEMA, new byte[0]);
            w("bytes", d, Schema.BYTES_SCHEMA, bytes(0, 1, 2, 0x7f, 0x80, 0xfe, 0xff));
            w("bytes 1", d, Schema.BYTES_SCHEMA, bytes(0xfb));
            w("bytes 2", d, Schema.BYTES_SCHEMA, bytes(0xfb, 0xff));
            w("bytes ByteBuffer", d, Schema.BYTES_SCHEMA, ByteBuffer.wrap(bytes(9, 8, 7)));

            // optional and null
            Schema[] optionals = {Schema.OPTIONAL_INT8_SCHEMA, Schema.OPTIONAL_INT16_SCHEMA, Schema.OPTIONAL_INT32_SCHEMA,
                Schema.OPTIONAL_INT64_SCHEMA, Schema.OPTIONAL_FLOAT32_SCHEMA, Schema.OPTIONAL_FLOAT64_SCHEMA,
                Schema.OPTIONAL_BOOLEAN_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA, Schema.OPTIONAL_BYTES_SCHEMA};
            for (Schema s : optionals) w("optional " + s.type() + " null", d, s, null);
            w("optional int32 value", d, Schema.OPTIONAL_INT32_SCHEMA, 42);
            w("optional string null schemas off", off, Schema.OPTIONAL_STRING_SCHEMA, null);
            w("required int32 null", d, Schema.INT32_SCHEMA, null);

            // defaults
            Schema int32Def = SchemaBuilder.int32().defaultValue(7).build();
            w("required int32 default, null value", d, int32Def, null);
            w("required int32 default, null value, replace.null.with.default=false", keepNull, int32Def, null);
            w("required int32 default, value", d, int32Def, 8);
            Schema optStrDef = SchemaBuilder.string().optional().defaultValue("dflt").build();
            w("optional string default, null value", d, optStrDef, null);
            w("optional string default, null value, replace.null.with.default=false", keepNull, optStrDef, null);
            w("int64 default max", d, SchemaBuilder.int64().defaultValue(Long.MAX_VALUE).build(), 1L);
            w("float32 default", d, SchemaBuilder.float32().defaultValue(0.1f).build(), 2.5f);
            w("float64 default", d, SchemaBuilder.float64().defaultValue(1.0).build(), 2.0);
            w("boolean default", d, SchemaBuilder.bool().defaultValue(true).build(), false);
            w("bytes default", d, SchemaBuilder.bytes().optional().defaultValue(bytes(1, 2, 3)).build(), bytes(4));
            w("array default", d, SchemaBuilder.array(Schema.INT32_SCHEMA).defaultValue(List.of(1, 2)).build(), List.of(3));
            w("map default", d, SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA)
                .defaultValue(map("a", 1)).build(), map("b", 2));
            w("int-keyed map default", d, SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA)
                .defaultValue(map(1, "a")).build(), map(2, "b"));

            // schema metadata
            Schema named = SchemaBuilder.string().name("com.example.Name").version(3).doc("some \"doc\"")
                .parameter("a.key", "x").parameter("b", "y").parameter("empty", "").build();
            w("named versioned doc parameters", d, named, "v");
            w("named optional with default", d, SchemaBuilder.int64().optional().name("n").version(1).doc("d")
                .defaultValue(5L).build(), null);
            w("empty parameters", d, SchemaBuilder.int32().parameters(Map.of()).build(), 1);

            // arrays and maps
            w("array int32", d, SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of(1, 2, 3));
            w("array empty", d, SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of());
            w("array optional strings", d, SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).optional().build(),
                Arrays.asList("a", null, "c"));
            w("array of arrays", d, SchemaBuilder.array(SchemaBuilder.array(Schema.FLOAT64_SCHEMA).build()).build(),
                List.of(List.of(1.0, 2.5), List.of()));
            w("array of bytes", d, SchemaBuilder.array(Schema.BYTES_SCHEMA).build(), List.of(bytes(1), bytes()));
            Schema strMap = SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build();
            w("map string keys", d, strMap, map("one", 1, "two", 2, "", 0, "a\"b", 3));
            w("map string keys empty", d, strMap, map());
            Schema intMap = SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build();
            w("map int keys", d, intMap, map(1, "one", -2, "minus two"));
            w("map int keys empty", d, intMap, map());
            w("map optional values", d, SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_FLOAT64_SCHEMA).build(),
                map("x", null, "y", 1.5));
            Schema arrKeyMap = SchemaBuilder.map(SchemaBuilder.array(Schema.INT8_SCHEMA).build(), Schema.BOOLEAN_SCHEMA).build();
            w("map array keys", d, arrKeyMap, map(List.of((byte) 1, (byte) 2), true));
            w("map int64 keys big", d, SchemaBuilder.map(Schema.INT64_SCHEMA, Schema.INT64_SCHEMA).build(),
                map(Long.MAX_VALUE, Long.MIN_VALUE));

            // structs
            Schema inner = SchemaBuilder.struct().name("com.example.Inner").optional()
                .field("id", Schema.INT64_SCHEMA)
                .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
                .build();
            Schema outer = SchemaBuilder.struct().name("com.example.Outer").version(2).doc("outer doc")
                .field("name", Schema.STRING_SCHEMA)
                .field("age", Schema.OPTIONAL_INT32_SCHEMA)
                .field("score", SchemaBuilder.float64().defaultValue(0.5).build())
                .field("inner", inner)
                .field("attrs", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.STRING_SCHEMA).optional().build())
                .field("byId", SchemaBuilder.map(Schema.INT32_SCHEMA, inner).optional().build())
                .field("items", SchemaBuilder.array(inner).optional().build())
                .build();
            Struct in1 = new Struct(inner).put("id", 1L).put("tags", List.of("a", "b"));
            Struct in2 = new Struct(inner).put("id", -9007199254740993L).put("tags", List.of());
            Struct full = new Struct(outer).put("name", "Ann").put("age", 42).put("score", 9.75).put("inner", in1)
                .put("attrs", map("k", "v", "k2", "v2")).put("byId", map(7, in2)).put("items", List.of(in1, in2));
            w("nested struct", d, outer, full);
            Struct sparse = new Struct(outer).put("name", "Bob");
            w("nested struct sparse", d, outer, sparse);
            w("nested struct sparse, replace.null.with.default=false", keepNull, outer, sparse);
            w("nested struct schemas off", off, outer, full);
            w("struct empty", d, SchemaBuilder.struct().build(), new Struct(SchemaBuilder.struct().build()));
            Schema withStructDefault = SchemaBuilder.struct().field("s", SchemaBuilder.struct()
                .field("x", Schema.INT32_SCHEMA).optional().build()).build();
            w("struct null optional struct field", d, withStructDefault, new Struct(withStructDefault));
            Schema fieldDefaults = SchemaBuilder.struct()
                .field("d", Decimal.builder(2).defaultValue(new BigDecimal("1.00")).build())
                .field("day", Date.builder().defaultValue(new java.util.Date(86400000L)).build())
                .field("b", SchemaBuilder.bytes().defaultValue(bytes(0xff)).build())
                .build();
            w("struct logical defaults", d, fieldDefaults, new Struct(fieldDefaults));
            w("struct logical defaults numeric", numeric, fieldDefaults, new Struct(fieldDefaults));
            w("key struct", d, true, inner, in1);

            // logical types
            String[] decs = {"12.34", "-12.34", "0.00", "-0.01", "1.28", "-1.28", "1.27", "-1.29", "327.68",
                "99999999999999999999999999999999.99", "-12345678901234567890.12"};
            for (String s : decs) {
                w("decimal(2) " + s, d, Decimal.schema(2), new BigDecimal(s));
                w("decimal(2) " + s + " numeric", numeric, Decimal.schema(2), new BigDecimal(s));
            }
            w("decimal(0) -1", d, Decimal.schema(0), new BigDecimal("-1"));
            w("decimal(0) 12345678901234567890 numeric", numeric, Decimal.schema(0), new BigDecimal("12345678901234567890"));
            w("decimal(10) tiny numeric", numeric, Decimal.schema(10), new BigDecimal("0.0000000123"));
            w("decimal(10) tiny", d, Decimal.schema(10), new BigDecimal("0.0000000123"));
            w("decimal(10) zero numeric", numeric, Decimal.schema(10), new BigDecimal("0E-10"));
            w("decimal(7) 0.0000001 numeric", numeric, Decimal.schema(7), new BigDecimal("0.0000001"));
            w("decimal(6) 0.000001 numeric", numeric, Decimal.schema(6), new BigDecimal("0.000001"));
            w("decimal(8) -0.00000150 numeric", numeric, Decimal.schema(8), new BigDecimal("-0.00000150"));
            w("decimal(-2) 1.2E+3", d, Decimal.schema(-2), new BigDecimal("1.2E+3"));
            w("decimal(-2) 1.2E+3 numeric", numeric, Decimal.schema(-2), new BigDecimal("1.2E+3"));
            w("decimal(18) numeric", numeric, Decimal.schema(18), new BigDecimal("1234567.000000000000000001"));
            w("decimal optional null", d, Decimal.builder(3).optional().build(), null);
            w("decimal numeric schemas off", numericOff, Decimal.schema(4), new BigDecimal("-3.1416"));
            w("decimal base64 schemas off", off, Decimal.schema(4), new BigDecimal("-3.1416"));
            w("date 0", d, Date.SCHEMA, new java.util.Date(0));
            w("date 19000 days", d, Date.SCHEMA, new java.util.Date(19000L * 86400000L));
            w("date -1 day", d, Date.SCHEMA, new java.util.Date(-86400000L));
            w("date not midnight", d, Date.SCHEMA, new java.util.Date(1000));
            w("time 0", d, Time.SCHEMA, new java.util.Date(0));
            w("time 12:34:56.789", d, Time.SCHEMA, new java.util.Date(45296789L));
            w("time max", d, Time.SCHEMA, new java.util.Date(86399999L));
            w("timestamp 0", d, Timestamp.SCHEMA, new java.util.Date(0));
            w("timestamp now", d, Timestamp.SCHEMA, new java.util.Date(1700000000123L));
            w("timestamp negative", d, Timestamp.SCHEMA, new java.util.Date(-1000L));
            w("timestamp year 9999", d, Timestamp.SCHEMA, new java.util.Date(253402300799999L));
            w("timestamp optional null", d, Timestamp.builder().optional().build(), null);
            w("logical schemas off", off, SchemaBuilder.array(Timestamp.SCHEMA).build(),
                List.of(new java.util.Date(5), new java.util.Date(1700000000123L)));

            // schemas.enable=false and schemaless values
            w("schemas off int32", off, Schema.INT32_SCHEMA, 5);
            w("schemas off float64 whole", off, Schema.FLOAT64_SCHEMA, 3.0);
            w("schemas off string", off, Schema.STRING_SCHEMA, "x");
            w("schemas off bytes", off, Schema.BYTES_SCHEMA, bytes(1, 2, 3));
            w("schemas off map int keys", off, intMap, map(1, "a"));
            w("schemaless long", d, null, 5L);
            w("schemaless long max", d, null, Long.MAX_VALUE);
            w("schemaless double", d, null, 1.5);
            w("schemaless double whole", d, null, 2.0);
            w("schemaless string", d, null, "s");
            w("schemaless boolean", d, null, true);
            w("schemaless bytes", d, null, bytes(0xde, 0xad));
            w("schemaless list", d, null, Arrays.asList(1L, "two", 3.5, null, true, List.of()));
            w("schemaless map", d, null, map("a", 1L, "b", Arrays.asList("x", null), "c", map("d", 2.5)));
            w("schemaless map int keys", d, null, map(1L, "a", 2L, "b"));
            w("schemaless map mixed keys", d, null, map("a", 1L, 2L, "b"));
            w("schemas off schemaless map", off, null, map("a", 1L, "n", null));
            w("schemas off schemaless long", off, null, 12345678901234567L);
            w("schemas off schemaless list", off, null, List.of(1L, 2.25));
            w("schemaless date", d, null, new java.util.Date(0));

            // number formatting: many doubles and floats over the whole range, written with schemas.enable=false
            floatFormats("float64", 600, 42L);
            floatFormats("float32", 600, 43L);

            // tombstones
            w("tombstone", d, null, null);
            w("tombstone schemas off", off, null, null);
            r("tombstone read", d, (byte[]) null);
            r("tombstone read schemas off", off, (byte[]) null);

            // errors on write
            w("wrong type for int32", d, Schema.INT32_SCHEMA, "abc");
            w("wrong type for string", d, Schema.STRING_SCHEMA, 5);
            w("struct with other schema", d, inner, new Struct(SchemaBuilder.struct().field("id", Schema.INT64_SCHEMA).build()).put("id", 1L));
            w("decimal wrong scale", d, Decimal.schema(2), new BigDecimal("1.5"));

            // reads of hand-written input
            r("read int64 2^53+1", d, "{\"schema\":{\"type\":\"int64\",\"optional\":false},\"payload\":9007199254740993}");
            r("read int64 max", d, "{\"schema\":{\"type\":\"int64\",\"optional\":false},\"payload\":9223372036854775807}");
            r("read int64 overflow", d, "{\"schema\":{\"type\":\"int64\",\"optional\":false},\"payload\":9223372036854775808}");
            r("read int32 from float", d, "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":1.9}");
            r("read int8 overflow", d, "{\"schema\":{\"type\":\"int8\",\"optional\":false},\"payload\":200}");
            r("read float32 many digits", d, "{\"schema\":{\"type\":\"float\",\"optional\":false},\"payload\":0.1000000000000000055511151231257827}");
            r("read float64 exponent", d, "{\"schema\":{\"type\":\"double\",\"optional\":false},\"payload\":1E-7}");
            r("read float64 integer", d, "{\"schema\":{\"type\":\"double\",\"optional\":false},\"payload\":3}");
            r("read float64 NaN string", d, "{\"schema\":{\"type\":\"double\",\"optional\":false},\"payload\":\"NaN\"}");
            r("read pretty envelope", d, "{\n  \"schema\" : { \"type\" : \"string\" , \"optional\" : true },\n  \"payload\" : \"x\"\n}\n");
            r("read payload first", d, "{\"payload\":[1,2],\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"int16\"}}}");
            r("read schema null", d, "{\"schema\":null,\"payload\":{\"a\":[1,2.5,\"x\",null,true,{}]}}");
            r("read leading zeros", d, "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":007}");
            r("read trailing content", d, "{\"schema\":null,\"payload\":1} trailing");
            r("read utf8 bom", d, bytesCat(bytes(0xef, 0xbb, 0xbf), utf8("{\"schema\":null,\"payload\":\"bom\"}")));
            r("read unicode escapes", d, "{\"schema\":{\"type\":\"string\"},\"payload\":\"\\u00e9\\ud83d\\ude00\\n\"}");
            r("read struct missing fields", d, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\",\"default\":3},{\"field\":\"b\",\"type\":\"string\",\"optional\":true}]},\"payload\":{\"extra\":1}}");
            r("read struct missing required", d, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\"}]},\"payload\":{}}");
            r("read struct default null keep", keepNull, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":\"int32\",\"optional\":true,\"default\":3}]},\"payload\":{\"a\":null}}");
            r("read map string keys", d, "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"int64\"}},\"payload\":{\"b\":1,\"a\":2}}");
            r("read map int keys", d, "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"int32\"},\"values\":{\"type\":\"string\",\"optional\":true}},\"payload\":[[2,\"x\"],[1,null]]}");
            r("read decimal numeric input", d, "{\"schema\":{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"version\":1,\"parameters\":{\"scale\":\"2\"}},\"payload\":1.5}");
            r("read decimal numeric exponent", d, "{\"schema\":{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"8\"}},\"payload\":-1.50E-6}");
            r("read decimal numeric integer", d, "{\"schema\":{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"0\"}},\"payload\":123456789012345678901234567890}");
            r("read decimal numeric long fraction", d, "{\"schema\":{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"12\"}},\"payload\":1234567.000000000001}");
            r("read decimal base64", d, "{\"schema\":{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"3\"}},\"payload\":\"/w==\"}");
            r("read decimal default", d, "{\"schema\":{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"1\"},\"default\":\"AQ==\"},\"payload\":null}");
            r("read timestamp", d, "{\"schema\":{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"},\"payload\":1700000000123}");
            r("read date", d, "{\"schema\":{\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Date\"},\"payload\":-3}");
            r("read schemaless object", off, "{\"a\":1,\"b\":[1.5,\"x\",null,true],\"c\":{\"d\":-12}}");
            r("read schemaless big int", off, "12345678901234567");
            r("read schemaless beyond long", off, "[9223372036854775807,9223372036854775808,-9223372036854775809]");
            r("read schemaless float", off, "[1.0,1e2,-0.0,0.1,1E400]");
            r("read schemaless string", off, "\"s\"");
            r("read schemaless null", off, "null");
            r("read schemaless empty", off, "");
            r("read schemaless whitespace", off, "  \n");
            r("read schemaless envelope-looking", off, "{\"schema\":null,\"payload\":1}");
            r("read schemaless duplicate keys", off, "{\"a\":1,\"b\":2,\"a\":3}");
            r("read schemaless proto key", off, "{\"__proto__\":{\"x\":1},\"constructor\":2}");
            r("read struct field named like Object members", d, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"constructor\",\"type\":\"int32\",\"optional\":true},{\"field\":\"__proto__\",\"type\":\"string\",\"optional\":true}]},\"payload\":{\"__proto__\":\"p\"}}");
            r("read nested arrays and maps", d, "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"array\",\"items\":{\"type\":\"int64\",\"optional\":true}}}},\"payload\":[{\"a\":[1,null,-9223372036854775808]},{}]}");
            r("read schema with default struct", d, "{\"schema\":{\"type\":\"struct\",\"optional\":true,\"fields\":[{\"field\":\"a\",\"type\":\"int32\"}],\"default\":{\"a\":5}},\"payload\":null}");
            r("read time", d, "{\"schema\":{\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Time\",\"version\":1},\"payload\":45296789}");
            r("read bytes", d, "{\"schema\":{\"type\":\"bytes\"},\"payload\":\"AAECf4D+/w==\"}");
            r("read float32 max", d, "{\"schema\":{\"type\":\"float\"},\"payload\":3.4028235E38}");

            // read errors
            r("error invalid json", d, "{\"schema\":");
            r("error invalid json schemas off", off, "{not json}");
            r("error invalid utf8", off, bytes(0x22, 0xff, 0x22));
            r("error empty with schemas", d, "");
            r("error not an object", d, "42");
            r("error missing payload", d, "{\"schema\":{\"type\":\"int32\"}}");
            r("error extra field", d, "{\"schema\":{\"type\":\"int32\"},\"payload\":1,\"extra\":2}");
            r("error unknown schema type", d, "{\"schema\":{\"type\":\"integer\"},\"payload\":1}");
            r("error schema without type", d, "{\"schema\":{\"optional\":true},\"payload\":1}");
            r("error schema not object", d, "{\"schema\":\"int32\",\"payload\":1}");
            r("error array without items", d, "{\"schema\":{\"type\":\"array\"},\"payload\":[]}");
            r("error map without keys", d, "{\"schema\":{\"type\":\"map\",\"values\":{\"type\":\"int32\"}},\"payload\":{}}");
            r("error struct fields not array", d, "{\"schema\":{\"type\":\"struct\",\"fields\":{}},\"payload\":{}}");
            r("error struct field without name", d, "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\"}]},\"payload\":{}}");
            r("error parameter not string", d, "{\"schema\":{\"type\":\"int32\",\"parameters\":{\"a\":1}},\"payload\":1}");
            r("error null for required", d, "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":null}");
            r("error struct payload not object", d, "{\"schema\":{\"type\":\"struct\",\"fields\":[]},\"payload\":[]}");
            r("error string-keyed map payload not object", d, "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"int32\"}},\"payload\":[]}");
            r("error int-keyed map payload not array", d, "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"int32\"},\"values\":{\"type\":\"int32\"}},\"payload\":{}}");
            r("error map entry not pair", d, "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"int32\"},\"values\":{\"type\":\"int32\"}},\"payload\":[[1,2,3]]}");
            r("error map entry not array", d, "{\"schema\":{\"type\":\"map\",\"keys\":{\"type\":\"int32\"},\"values\":{\"type\":\"int32\"}},\"payload\":[1]}");
            r("error decimal boolean", d, "{\"schema\":{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"2\"}},\"payload\":true}");
            r("error bad base64", d, "{\"schema\":{\"type\":\"bytes\"},\"payload\":\"not base64!\"}");
            r("error date not integer", d, "{\"schema\":{\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Date\"},\"payload\":\"x\"}");
            r("error timestamp not integral", d, "{\"schema\":{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"},\"payload\":1.5}");
            // Java coerces mismatching payloads silently (TextNode.intValue() is 0); kept to document the difference
            r("quirk int32 from string", d, "{\"schema\":{\"type\":\"int32\",\"optional\":false},\"payload\":\"abc\"}");
            r("quirk string from number", d, "{\"schema\":{\"type\":\"string\",\"optional\":true},\"payload\":5}");
            r("quirk boolean from number", d, "{\"schema\":{\"type\":\"boolean\",\"optional\":false},\"payload\":1}");
            r("quirk bytes from number", d, "{\"schema\":{\"type\":\"bytes\",\"optional\":true},\"payload\":1}");
            return out;
        }
    }

    static byte[] bytesCat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---------------------------------------------------------------- String, ByteArray, number and boolean converters

    static final class SimpleCases {
        final ArrayNode out = F.arrayNode();

        void w(String className, Supplier<Converter> make, Map<String, String> cfg, Schema schema, Object value) {
            ObjectNode v = out.addObject();
            v.put("kind", "write");
            v.put("converter", className);
            v.put("name", className.substring(className.lastIndexOf('.') + 1) + " " + describe(value));
            v.set("config", cfgNode(cfg));
            v.set("schema", schemaNode(schema));
            v.set("value", tag(value));
            Converter c = make.get();
            c.configure(cfg, false);
            byte[] bytes;
            try {
                bytes = c.fromConnectData(TOPIC, schema, value);
            } catch (Exception e) {
                v.put("kind", "writeError");
                v.set("error", errorNode(e));
                return;
            }
            putBytes(v, bytes);
            try {
                Converter c2 = make.get();
                c2.configure(cfg, false);
                v.set("readBack", resultNode(c2.toConnectData(TOPIC, bytes)));
            } catch (Exception e) {
                v.set("readBackError", errorNode(e));
            }
        }

        void r(String className, Supplier<Converter> make, Map<String, String> cfg, byte[] input) {
            ObjectNode v = out.addObject();
            v.put("kind", "read");
            v.put("converter", className);
            v.put("name", className.substring(className.lastIndexOf('.') + 1) + " read " + (input == null ? "null" : input.length + " bytes"));
            v.set("config", cfgNode(cfg));
            putBytes(v, input);
            Converter c = make.get();
            c.configure(cfg, false);
            try {
                v.set("result", resultNode(c.toConnectData(TOPIC, input)));
            } catch (Exception e) {
                v.set("error", errorNode(e));
            }
        }

        static String describe(Object value) {
            if (value == null) return "null";
            if (value instanceof byte[] b) return "bytes" + Arrays.toString(b);
            return value.getClass().getSimpleName() + " " + value;
        }

        ArrayNode build() {
            Map<String, String> d = cfg();
            String sc = "org.apache.kafka.connect.storage.StringConverter";
            Supplier<Converter> str = StringConverter::new;
            w(sc, str, d, Schema.STRING_SCHEMA, "hello");
            w(sc, str, d, Schema.OPTIONAL_STRING_SCHEMA, "héllo ✓ 😀");
            w(sc, str, d, Schema.STRING_SCHEMA, "");
            w(sc, str, d, null, null);
            w(sc, str, d, Schema.INT32_SCHEMA, 42);
            w(sc, str, d, Schema.INT64_SCHEMA, Long.MIN_VALUE);
            w(sc, str, d, Schema.FLOAT64_SCHEMA, 1.0);
            w(sc, str, d, Schema.FLOAT32_SCHEMA, 0.1f);
            w(sc, str, d, Schema.BOOLEAN_SCHEMA, true);
            for (String enc : List.of("UTF-8", "UTF-16", "UTF-16BE", "UTF-16LE", "ISO-8859-1", "US-ASCII")) {
                w(sc, str, cfg("converter.encoding", enc), Schema.STRING_SCHEMA, "héllo ✓");
            }
            r(sc, str, cfg("converter.encoding", "UTF-16"), bytes(0xff, 0xfe, 0x41, 0x00));
            r(sc, str, cfg("converter.encoding", "UTF-16"), bytes(0x00, 0x41));
            r(sc, str, d, bytes(0x61, 0xff, 0x62));
            r(sc, str, d, null);

            String bc = "org.apache.kafka.connect.converters.ByteArrayConverter";
            Supplier<Converter> ba = ByteArrayConverter::new;
            w(bc, ba, d, Schema.BYTES_SCHEMA, bytes(0, 1, 0xff));
            w(bc, ba, d, null, bytes());
            w(bc, ba, d, Schema.OPTIONAL_BYTES_SCHEMA, null);
            w(bc, ba, d, Schema.STRING_SCHEMA, bytes(1));
            w(bc, ba, d, null, "not bytes");
            r(bc, ba, d, bytes(5, 6));

            String ic = "org.apache.kafka.connect.converters.IntegerConverter";
            Supplier<Converter> ints = IntegerConverter::new;
            for (Object o : Arrays.asList(0, 1, -1, 256, Integer.MAX_VALUE, Integer.MIN_VALUE, null, 5L, "7")) {
                w(ic, ints, d, Schema.OPTIONAL_INT32_SCHEMA, o);
            }
            r(ic, ints, d, bytes(1, 2, 3));
            r(ic, ints, d, null);

            String shc = "org.apache.kafka.connect.converters.ShortConverter";
            Supplier<Converter> shorts = ShortConverter::new;
            for (Object o : Arrays.asList((short) 0, (short) -2, Short.MAX_VALUE, Short.MIN_VALUE, null)) {
                w(shc, shorts, d, Schema.OPTIONAL_INT16_SCHEMA, o);
            }
            r(shc, shorts, d, bytes(1));

            String lc = "org.apache.kafka.connect.converters.LongConverter";
            Supplier<Converter> longs = LongConverter::new;
            for (Object o : Arrays.asList(0L, -1L, 9007199254740993L, Long.MAX_VALUE, Long.MIN_VALUE, 1700000000123L, null)) {
                w(lc, longs, d, Schema.OPTIONAL_INT64_SCHEMA, o);
            }
            r(lc, longs, d, bytes(1, 2, 3, 4));

            String fc = "org.apache.kafka.connect.converters.FloatConverter";
            Supplier<Converter> fl = FloatConverter::new;
            for (Object o : Arrays.asList(0.1f, -0.0f, 1.5f, Float.NaN, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, null)) {
                w(fc, fl, d, Schema.OPTIONAL_FLOAT32_SCHEMA, o);
            }
            r(fc, fl, d, bytes(0, 0));

            String dc = "org.apache.kafka.connect.converters.DoubleConverter";
            Supplier<Converter> db = DoubleConverter::new;
            for (Object o : Arrays.asList(0.1, -0.0, 1e300, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE, null)) {
                w(dc, db, d, Schema.OPTIONAL_FLOAT64_SCHEMA, o);
            }
            r(dc, db, d, bytes(0));

            String boc = "org.apache.kafka.connect.converters.BooleanConverter";
            Supplier<Converter> bo = BooleanConverter::new;
            w(boc, bo, d, Schema.BOOLEAN_SCHEMA, true);
            w(boc, bo, d, Schema.OPTIONAL_BOOLEAN_SCHEMA, false);
            w(boc, bo, d, null, null);
            w(boc, bo, d, Schema.STRING_SCHEMA, true);
            w(boc, bo, d, null, "true");
            r(boc, bo, d, bytes(2));
            r(boc, bo, d, bytes(1, 0));
            return out;
        }
    }

    // ---------------------------------------------------------------- SimpleHeaderConverter

    static final class HeaderCases {
        final ArrayNode out = F.arrayNode();
        final HeaderConverter conv = new SimpleHeaderConverter();

        void w(String name, Schema schema, Object value) {
            ObjectNode v = out.addObject();
            v.put("kind", "write");
            v.put("name", name);
            v.set("schema", schemaNode(schema));
            v.set("value", tag(value));
            byte[] bytes;
            try {
                bytes = conv.fromConnectHeader(TOPIC, "h", schema, value);
            } catch (Exception e) {
                v.put("kind", "writeError");
                v.set("error", errorNode(e));
                return;
            }
            putBytes(v, bytes);
            try {
                v.set("readBack", resultNode(conv.toConnectHeader(TOPIC, "h", bytes)));
            } catch (Exception e) {
                v.set("readBackError", errorNode(e));
            }
        }

        void r(String text) {
            r(text == null ? null : utf8(text));
        }

        void r(byte[] input) {
            ObjectNode v = out.addObject();
            v.put("kind", "read");
            putBytes(v, input);
            v.put("name", "read " + (v.has("text") ? v.get("text").asText() : "bytes"));
            try {
                v.set("result", resultNode(conv.toConnectHeader(TOPIC, "h", input)));
            } catch (Exception e) {
                v.set("error", errorNode(e));
            }
        }

        ArrayNode build() {
            w("null", null, null);
            w("string", Schema.STRING_SCHEMA, "hello world");
            w("string with delimiters", Schema.STRING_SCHEMA, "a,b:{c}[d]\"e\\f");
            w("empty string", Schema.STRING_SCHEMA, "");
            w("int8", Schema.INT8_SCHEMA, (byte) -5);
            w("int16", Schema.INT16_SCHEMA, (short) 300);
            w("int32", Schema.INT32_SCHEMA, 70000);
            w("int64", Schema.INT64_SCHEMA, 9007199254740993L);
            w("int64 small", Schema.INT64_SCHEMA, 5L);
            w("float32", Schema.FLOAT32_SCHEMA, 0.1f);
            w("float32 whole", Schema.FLOAT32_SCHEMA, 2.0f);
            w("float64", Schema.FLOAT64_SCHEMA, 1.0);
            w("float64 big", Schema.FLOAT64_SCHEMA, 1e20);
            w("float64 pi", Schema.FLOAT64_SCHEMA, Math.PI);
            w("boolean", Schema.BOOLEAN_SCHEMA, true);
            w("bytes", Schema.BYTES_SCHEMA, bytes(1, 2, 0xff));
            w("decimal", Decimal.schema(2), new BigDecimal("-12.50"));
            w("decimal tiny", Decimal.schema(9), new BigDecimal("0.000000001"));
            w("date", Date.SCHEMA, new java.util.Date(19000L * 86400000L));
            w("time", Time.SCHEMA, new java.util.Date(45296789L));
            w("timestamp", Timestamp.SCHEMA, new java.util.Date(1700000000123L));
            w("array int32", SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of(1, 2, 300000));
            w("array strings", SchemaBuilder.array(Schema.OPTIONAL_STRING_SCHEMA).build(), Arrays.asList("a", "b\"c", null, "d\\e"));
            w("array float64", SchemaBuilder.array(Schema.FLOAT64_SCHEMA).build(), List.of(1.0, 2.5));
            w("array mixed numbers", SchemaBuilder.array(Schema.FLOAT32_SCHEMA).build(), List.of(1.5f, 2.0f));
            w("empty array", SchemaBuilder.array(Schema.INT32_SCHEMA).build(), List.of());
            w("array of arrays", SchemaBuilder.array(SchemaBuilder.array(Schema.INT8_SCHEMA).build()).build(),
                List.of(List.of((byte) 1), List.of((byte) 2, (byte) 3)));
            w("map string to int", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(), map("a", 1, "b", 2));
            w("map int to string", SchemaBuilder.map(Schema.INT32_SCHEMA, Schema.STRING_SCHEMA).build(), map(1, "x", 2, "y"));
            w("map string to null", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.OPTIONAL_STRING_SCHEMA).build(), map("a", null));
            w("empty map", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build(), map());
            Schema st = SchemaBuilder.struct().field("name", Schema.STRING_SCHEMA).field("n", Schema.OPTIONAL_INT64_SCHEMA)
                .field("d", SchemaBuilder.float64().defaultValue(1.5).build()).build();
            w("struct", st, new Struct(st).put("name", "x").put("n", 3L));
            w("schemaless long", null, 12L);
            w("schemaless double", null, 12.0);
            w("schemaless list", null, Arrays.asList(1L, "a", null));
            w("schemaless map", null, map("k", List.of(true)));

            String[] reads = {"", " ", "null", "true", "false", "True", "  true  ", "true}", "true,false",
                "0", "42", "-128", "-129", "127", "128", "32767", "32768", "-32769", "2147483647", "2147483648",
                "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e19", "1E+3", "+5", "-0",
                "1.0", "1.5", "0.1", "-2.5", "3.14159265358979", "1e300", "1e-300", "1e400", "0.00", "007",
                "123abc", "1,2", "1.5.5", "abc", "hello world", "\"quoted\"", "'single'", "a:b", "a,b",
                "[1,2,3]", "[1, 2, 3]", "[1,300,70000]", "[1,2.5]", "[1.5,2]", "[1,null]", "[null,null]", "[]", "[ ]",
                "[\"a\",\"b\"]", "[\"a\\\"b\",\"c\\\\d\"]", "[true,false]", "[1,\"a\"]", "[[1],[2,3]]", "[1,2",
                "[1,,2]", "[1,]", "[1 2]", "[a,b]", "[2024-01-15]",
                "{\"a\":1,\"b\":2}", "{ \"a\" : 1 , \"b\" : 2 }", "{}", "{\"a\":null}", "{\"a\":[1,2]}", "{1:2}",
                "{1:\"x\",2:\"y\"}", "{a:1}", "{\"a\":1", "{\"a\"}", "{\"a\":1 \"b\":2}", "{\"a\":1,}", "{,}",
                "{\"k\":\"v\"} trailing", "[1] trailing",
                "2024-01-15", "10:30:00.123Z", "2024-01-15T10:30:00.123Z", "1970-01-01", "00:00:00.000Z",
                "\"2024-01-15\"", "[\"2024-01-15\",\"2024-01-16\"]", "[10:30:00.123Z]", "2024-13-45", "2024-1-5",
                "{\"t\":2024-01-15T10:30:00.123Z}", "[1,2024-01-15]", "[2024-01-15,1]"};
            for (String s : reads) r(s);
            r((byte[]) null);
            r(bytes(0xff, 0xfe));
            return out;
        }
    }
}
