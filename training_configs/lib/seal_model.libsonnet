// SEAL model pieces: the three models, their losses, per-side optimizers and data paths.
// A task config imports this with lib/embedder.libsonnet and lib/trainer.libsonnet and only
// picks its reader, model and data.
local embedder = import 'embedder.libsonnet';

{
  // Every option below defaults to `unset`: the option is left out of the config, so the
  // Python default of the model (seal_adapters/models/) applies. There is one copy of each
  // default, in Python; a config sets only what it changes. (null is a value: e.g.
  // label_encoding=null is a tagger without a tag scheme.)
  unset:: { seal_adapters_unset: true },

  // ScoreNN energies (model.energy): label vectors feedforward; tag sequences linear_chain,
  // cnn, self_attention. Unset options take the energy's Python default (seal_adapters/energies/).
  feedforward(hidden_dims=$.unset, activation=$.unset)::
    { type: 'feedforward' } + set('hidden_dims', hidden_dims) + set('activation', activation),
  linear_chain():: { type: 'linear_chain' },
  tag_cnn(kernel_size=$.unset, hidden_dim=$.unset)::
    { type: 'cnn' } + set('kernel_size', kernel_size) + set('hidden_dim', hidden_dim),
  tag_self_attention(hidden_dim=$.unset, num_heads=$.unset)::
    { type: 'self_attention' } + set('hidden_dim', hidden_dim) + set('num_heads', num_heads),

  // The TaskNN loss (model.tasknn_loss): cross-entropy plus a score term, "absolute"
  // (-score(y_hat), the default) or "gold_hinge" (max(0, score(y) - score(y_hat))).
  gold_hinge():: { type: 'cross_entropy_score', score_term: 'gold_hinge' },
  absolute():: { type: 'cross_entropy_score', score_term: 'absolute' },

  // ScoreNN losses (model.scorenn_loss): nce (default) | dvn | margin; unset options take the
  // loss's Python default (seal_adapters/losses/). nce's proposal_correction=false is SEAL's
  // "ranking" variant (no - ln q(y) on the samples' scores).
  nce(num_samples=$.unset, proposal_correction=$.unset)::
    { type: 'nce' } + set('num_samples', num_samples) + set('proposal_correction', proposal_correction),
  dvn(num_samples=$.unset):: { type: 'dvn' } + set('num_samples', num_samples),
  margin(num_samples=$.unset):: { type: 'margin' } + set('num_samples', num_samples),

  // Options shared by the models. score_loss_weight 0 = TaskNN cross-entropy only (no
  // ScoreNN head, channel or loss; the embedder then needs only the tasknn adapter).
  // tasknn_hidden_dim: 0 = linear TaskNN head, > 0 = one hidden layer of that width;
  // last_layer_only=false: each channel mixes all transformer layers; energy: the ScoreNN's
  // structured term (null = the model's default: feedforward / linear_chain).
  local set(key, value) = if value == $.unset then {} else { [key]: value },
  local common(model_name, adapters, mismatched, score_loss_weight, scorenn_loss, dropout,
               tasknn_hidden_dim, last_layer_only, energy, tasknn_loss) =
    local seal_on = score_loss_weight == $.unset || score_loss_weight > 0;
    {
      text_field_embedder: embedder.text_field_embedder(model_name,
                                                        adapters=if adapters == $.unset then null else adapters,
                                                        mismatched=mismatched,
                                                        last_layer_only=last_layer_only),
    }
    + set('score_loss_weight', score_loss_weight) + set('dropout', dropout)
    + set('tasknn_hidden_dim', tasknn_hidden_dim)
    + (if seal_on then set('scorenn_loss', scorenn_loss) else {})
    + (if seal_on && energy != null then set('energy', energy) else {})
    + (if seal_on && tasknn_loss != null then set('tasknn_loss', tasknn_loss) else {}),

  text_classifier(model_name, adapters=$.unset, score_loss_weight=$.unset, scorenn_loss=$.unset,
                  pooler=$.unset, dropout=$.unset, tasknn_hidden_dim=$.unset, last_layer_only=true,
                  energy=null, tasknn_loss=null):: common(
    model_name, adapters, false, score_loss_weight, scorenn_loss, dropout, tasknn_hidden_dim,
    last_layer_only, energy, tasknn_loss
  ) + { type: 'seal_text_classifier' } + set('pooler', pooler),

  multilabel_classifier(model_name, adapters=$.unset, score_loss_weight=$.unset,
                        scorenn_loss=$.unset, pooler=$.unset, dropout=$.unset, threshold=$.unset,
                        tasknn_hidden_dim=$.unset, last_layer_only=true, energy=null,
                        tasknn_loss=null):: common(
    model_name, adapters, false, score_loss_weight, scorenn_loss, dropout, tasknn_hidden_dim,
    last_layer_only, energy, tasknn_loss
  ) + { type: 'seal_multilabel_classifier' } + set('pooler', pooler) + set('threshold', threshold),

  tagger(model_name, adapters=$.unset, score_loss_weight=$.unset, scorenn_loss=$.unset,
         dropout=$.unset, label_encoding=$.unset, tasknn_hidden_dim=$.unset, last_layer_only=true,
         energy=null, tasknn_loss=null):: common(
    model_name, adapters, true, score_loss_weight, scorenn_loss, dropout, tasknn_hidden_dim,
    last_layer_only, energy, tasknn_loss
  ) + { type: 'seal_tagger' } + set('label_encoding', label_encoding),

  // One AdamW, a learning rate per side: parameter names hold their side's adapter name
  // (adapter weights "...adapters.tasknn...", heads "heads.tasknn..."), so the regexes
  // split them; parameters of neither side get `lr`.
  per_side_optimizer(tasknn_lr, scorenn_lr, lr=1e-3, weight_decay=0.01):: {
    type: 'adamw',
    lr: lr,
    weight_decay: weight_decay,
    parameter_groups: [
      [['.*tasknn.*'], { lr: tasknn_lr }],
      [['.*scorenn.*'], { lr: scorenn_lr }],
    ],
  },

  // Data paths from the environment: SEAL_TRAIN, SEAL_VALIDATION and SEAL_TEST. jsonnet has
  // no default for a missing variable, so SEAL_TEST must be set: to a file to evaluate on it
  // after training (metrics.json gets test_* entries), or to '' to skip the test set.
  data_paths()::
    local test = std.extVar('SEAL_TEST');
    {
      train_data_path: std.extVar('SEAL_TRAIN'),
      validation_data_path: std.extVar('SEAL_VALIDATION'),
      [if test != '' then 'test_data_path']: test,
      evaluate_on_test: test != '',
    },
}
