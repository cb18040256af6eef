th_test(NAME model_json SRCS otlp_json_decode_test.cc DEPS th::model)
th_fuzz(NAME otlp_json SRCS otlp_json_decode_fuzz.cc DEPS th::model CORPUS tests/fuzz/corpus/otlp_json)
