// SEAL model pieces: the three models, their losses, per-side optimizers and data paths.
// A task config imports this with lib/embedder.libsonnet and lib/trainer.libsonnet and only
// picks its reader, model and data.
local embedder = import 'embedder.libsonnet';

{
  // Weight of the TaskNN's score term (per label / token), as the models' default.
  default_score_loss_weight:: 0.1,

  // ScoreNN energies (model.energy): label vectors feedforward; tag sequences linear_chain,
  // cnn, self_attention.
  feedforward(hidden_dims=200, activation='softplus'):: {
    type: 'feedforward', hidden_dims: hidden_dims, activation: activation,
  },
  linear_chain():: { type: 'linear_chain' },
  tag_cnn(kernel_size=3, hidden_dim=50):: { type: 'cnn', kernel_size: kernel_size, hidden_dim: hidden_dim },
  tag_self_attention(hidden_dim=32, num_heads=2):: {
    type: 'self_attention', hidden_dim: hidden_dim, num_heads: num_heads,
  },

  // The TaskNN loss (model.tasknn_loss): cross-entropy plus a score term, "absolute"
  // (-score(y_hat), the default) or "gold_hinge" (max(0, score(y) - score(y_hat))).
  gold_hinge():: { type: 'cross_entropy_score', score_term: 'gold_hinge' },

  // ScoreNN losses (model.scorenn_loss): nce (default) | dvn | margin.
  // proposal_correction=false: SEAL's "ranking" variant (no - ln q(y) on the samples' scores)
  nce(num_samples=10, proposal_correction=true):: {
    type: 'nce', num_samples: num_samples,
    [if !proposal_correction then 'proposal_correction']: false,
  },
  dvn(num_samples=10):: { type: 'dvn', num_samples: num_samples },
  margin(num_samples=0):: { type: 'margin', num_samples: num_samples },

  // Options shared by the three models. score_loss_weight 0 = TaskNN cross-entropy only
  // (no ScoreNN head, channel or loss; the embedder then needs only the tasknn adapter).
  // tasknn_hidden_dim: 0 = linear TaskNN head, > 0 = one hidden layer of that width;
  // last_layer_only=false: each channel mixes all transformer layers; energy: the ScoreNN's
  // structured term (null = the model's default: feedforward / linear_chain).
  local common(model_name, adapters, mismatched, score_loss_weight, scorenn_loss, dropout,
               tasknn_hidden_dim, last_layer_only, energy, tasknn_loss) = {
    text_field_embedder: embedder.text_field_embedder(model_name, adapters=adapters,
                                                      mismatched=mismatched,
                                                      last_layer_only=last_layer_only),
    score_loss_weight: score_loss_weight,
    dropout: dropout,
    [if tasknn_hidden_dim > 0 then 'tasknn_hidden_dim']: tasknn_hidden_dim,
    [if score_loss_weight > 0 then 'scorenn_loss']: scorenn_loss,
    [if score_loss_weight > 0 && energy != null then 'energy']: energy,
    [if score_loss_weight > 0 && tasknn_loss != null then 'tasknn_loss']: tasknn_loss,
  },

  text_classifier(model_name, adapters=embedder.default_adapters,
                  score_loss_weight=$.default_score_loss_weight, scorenn_loss=$.nce(),
                  pooler='mean', dropout=0.1, tasknn_hidden_dim=0, last_layer_only=true,
                  energy=null, tasknn_loss=null):: common(
    model_name, adapters, false, score_loss_weight, scorenn_loss, dropout, tasknn_hidden_dim,
    last_layer_only, energy, tasknn_loss
  ) + { type: 'seal_text_classifier', pooler: pooler },

  multilabel_classifier(model_name, adapters=embedder.default_adapters,
                        score_loss_weight=$.default_score_loss_weight, scorenn_loss=$.nce(),
                        pooler='mean', dropout=0.1, threshold=0.5, tasknn_hidden_dim=0,
                        last_layer_only=true, energy=null, tasknn_loss=null):: common(
    model_name, adapters, false, score_loss_weight, scorenn_loss, dropout, tasknn_hidden_dim,
    last_layer_only, energy, tasknn_loss
  ) + { type: 'seal_multilabel_classifier', pooler: pooler, threshold: threshold },

  tagger(model_name, adapters=embedder.default_adapters,
         score_loss_weight=$.default_score_loss_weight, scorenn_loss=$.nce(), dropout=0.1,
         label_encoding='BIO', tasknn_hidden_dim=0, last_layer_only=true, energy=null,
         tasknn_loss=null):: common(
    model_name, adapters, true, score_loss_weight, scorenn_loss, dropout, tasknn_hidden_dim,
    last_layer_only, energy, tasknn_loss
  ) + { type: 'seal_tagger', label_encoding: label_encoding },

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
