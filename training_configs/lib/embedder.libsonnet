// The adapter-equipped transformer, as reader pieces and as a text field embedder.
// Use the same model_name in the reader and the embedder.
{
  // Left out (null), an option takes the embedder's Python default (adapters: scorenn and
  // tasknn, both seq_bn; output: "concat").

  // Wordpiece tokenizer and indexer for sentence-level tasks.
  tokenizer(model_name, max_length=null):: {
    type: 'pretrained_transformer',
    model_name: model_name,
    [if max_length != null then 'max_length']: max_length,
  },
  indexers(model_name, max_length=null):: {
    tokens: {
      type: 'pretrained_transformer',
      model_name: model_name,
      [if max_length != null then 'max_length']: max_length,
    },
  },
  // Word-level indexer for tagging (pairs with mismatched=true below).
  mismatched_indexers(model_name, max_length=null):: {
    tokens: {
      type: 'pretrained_transformer_mismatched',
      model_name: model_name,
      [if max_length != null then 'max_length']: max_length,
    },
  },

  // adapters: name -> "seq_bn" | "lora" | "prefix_tuning" | {architecture: ..., options}
  // output: an adapter name or "concat" (every channel side by side, for allennlp's models)
  text_field_embedder(model_name, adapters=null, output=null,
                      max_length=null, mismatched=false, load_adapters=null,
                      gradient_checkpointing=false, compile=false, last_layer_only=true):: {
    token_embedders: {
      tokens: {
        type: if mismatched then 'pretrained_transformer_mismatched_with_adapters'
        else 'pretrained_transformer_with_adapters',
        model_name: model_name,
        [if adapters != null then 'adapters']: adapters,
        [if output != null then 'output']: output,
        [if max_length != null then 'max_length']: max_length,
        [if load_adapters != null then 'load_adapters']: load_adapters,
        [if gradient_checkpointing then 'gradient_checkpointing']: true,
        // false: each adapter's channel is a learned mix of all layers (allennlp's ScalarMix,
        // one per adapter), not the last layer only
        [if !last_layer_only then 'last_layer_only']: false,
        // torch.compile: true | 'auto' (GPU only) | {backend, mode, dynamic, devices}
        [if compile != false then 'compile']: compile,
      },
    },
  },
}
