import Foundation
import Testing
import TinaCore
import TinaRL
import TinaTraining

/// Recipes: every shipped file parses, TRL's defaults fill the gaps, and every kind of mistake is an error that
/// names the file, the line and the key (unknown keys with a spelling hint).
@Suite struct RecipeTests {
    @Test func everyShippedRecipeParses() throws {
        let files = try shippedRecipes()
        #expect(files.count >= 19)
        for file in files {
            let recipe = try GRPORecipe.load(path: file)
            #expect(recipe.modelNameOrPath != nil, "\(file)")
            // The shipped recipes ask for nothing we ignore except vLLM / reporting keys, and say so.
            for note in recipe.notes { #expect(note.contains("accepted and ignored"), "\(file): \(note)") }
        }
    }

    @Test func tinaRecipesCarryThePaperSettings() throws {
        let dir = Paths.repository.appendingPathComponent("recipes/tina").path
        let limr = try GRPORecipe.load(path: dir + "/limr.yaml")
        #expect(limr.maxSteps == 360 && limr.stopAtStep == 180 && limr.saveSteps == 10)
        #expect(limr.loraR == 32 && limr.loraAlpha == 128 && limr.loraScaling == 4)
        #expect(limr.resolvedLoraTargetModules.count == 7)
        #expect(limr.learningRate == 1e-6 && limr.lrSchedulerType == .cosineWithMinLR && limr.lrSchedulerKwargs.minLRRate == 0.1)
        #expect(limr.promptsPerStep == 8 && limr.completionsPerStep == 32)
        #expect(limr.rewardFuncs == ["format", "accuracy"] && limr.resolvedRewardWeights == [1, 2])
        #expect(limr.temperature == 0.7 && limr.beta == 0.04 && limr.scaleRewards == .group && limr.lossType == .grpo)
        #expect(limr.stopStep(datasetSize: 1389) == 180 && limr.warmupStepCount(scheduleSteps: 360) == 36)
        #expect(limr.resolvedSystemPrompt == SystemPrompts.openR1)

        let drgrpo = try GRPORecipe.load(path: dir + "/open_rs3_drgrpo_ablation.yaml")
        #expect(drgrpo.scaleRewards == RewardScaling.none && drgrpo.lossType == .bnpo)
        #expect(drgrpo.numGenerations == 6 && drgrpo.cosineMaxLen == 3584 && drgrpo.resolvedSystemPrompt == SystemPrompts.openRS)

        let rank = try GRPORecipe.load(path: dir + "/limr_large_rank_ablation.yaml")
        #expect(rank.loraR == 128 && rank.loraAlpha == 512)
        #expect(try GRPORecipe.load(path: dir + "/limr_small_lr_ablation.yaml").learningRate == 5e-7)

        let openR1 = try GRPORecipe.load(path: dir + "/open_r1.yaml")
        #expect(openR1.maxSteps == -1 && openR1.rewardFuncs.count == 7)
        // One epoch of 93.7k prompts at 8 prompts per step.
        #expect(openR1.scheduleSteps(datasetSize: 93_733) == 11_716)
    }

    @Test func missingKeysTakeTRLDefaults() throws {
        let recipe = try GRPORecipe.parse(yaml: recipeText(), source: "r.yaml")
        #expect(recipe.numGenerations == 8 && recipe.perDeviceTrainBatchSize == 8 && recipe.gradientAccumulationSteps == 1)
        #expect(recipe.learningRate == 1e-6 && recipe.beta == 0.04 && recipe.temperature == 0.9)
        #expect(recipe.maxPromptLength == 512 && recipe.maxCompletionLength == 256)
        #expect(recipe.lossType == .grpo && recipe.scaleRewards == .group && recipe.numIterations == 1 && recipe.epsilon == 0.2)
        #expect(recipe.topK == nil && recipe.topP == 1.0 && recipe.minP == nil)
        #expect(recipe.lrSchedulerType == .linear && recipe.maxSteps == -1 && recipe.numTrainEpochs == 3)
        #expect(recipe.adamBeta2 == 0.999 && recipe.adamEpsilon == 1e-8 && recipe.maxGradNorm == 1 && recipe.seed == 42)
        #expect(recipe.resolvedLoraTargetModules == ["q_proj", "v_proj"] && recipe.resolvedOutputDir == "runs/grpo")
        #expect(recipe.notes.isEmpty)
    }

    @Test func unknownKeysAreErrorsWithHints() throws {
        let text = errorText { _ = try GRPORecipe.parse(yaml: recipeText("scale_reward: false\n"), source: "drgrpo.yaml") }
        #expect(text.contains("drgrpo.yaml:3") && text.contains("'scale_reward'") && text.contains("did you mean 'scale_rewards'?"))

        let typos = errorText { _ = try GRPORecipe.parse(yaml: recipeText("lerning_rate: 1e-5\nnum_generation: 4\n"), source: "r.yaml") }
        #expect(typos.contains("r.yaml:3: unknown key 'lerning_rate' (did you mean 'learning_rate'?)"))
        #expect(typos.contains("r.yaml:4: unknown key 'num_generation' (did you mean 'num_generations'?)"))

        let far = errorText { _ = try GRPORecipe.parse(yaml: recipeText("banana: 1\n"), source: "r.yaml") }
        #expect(far.contains("unknown key 'banana'") && !far.contains("did you mean"))

        let nested = errorText { _ = try GRPORecipe.parse(yaml: recipeText("lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs:\n  min_lr_ratio: 0.1\n"), source: "r.yaml") }
        #expect(nested.contains("r.yaml:4") && nested.contains("'lr_scheduler_kwargs.min_lr_ratio'") && nested.contains("did you mean 'min_lr_rate'?"))

        let tina = errorText { _ = try GRPORecipe.parse(yaml: recipeText("model_post_train_dataset_name: curated_limr\n"), source: "r.yaml") }
        #expect(tina.contains("dataset_name to a local JSONL file"))
    }

    @Test func wrongTypesNameKeyAndExpectedType() throws {
        func error(_ line: String) -> String { errorText { _ = try GRPORecipe.parse(yaml: recipeText(line), source: "r.yaml") } }
        let lr = error("learning_rate: fast\n")
        #expect(lr.contains("r.yaml:3") && lr.contains("key 'learning_rate': expected a number, got 'fast'"))
        #expect(error("num_generations: 4.5\n").contains("key 'num_generations': expected an integer, got '4.5'"))
        #expect(error("use_peft: maybe\n").contains("key 'use_peft': expected true or false"))
        #expect(error("reward_funcs: accuracy\n").contains("key 'reward_funcs': expected a list, got 'accuracy'"))
        #expect(error("reward_weights: [1.0, heavy]\n").contains("key 'reward_weights[1]': expected a number, got a list"))
        let loss = error("loss_type: dr-grpo\n")
        #expect(loss.contains("key 'loss_type'") && loss.contains("one of: grpo, bnpo, dr_grpo, dapo") && loss.contains("did you mean 'dr_grpo'?"))
        #expect(error("lr_scheduler_kwargs: 0.1\n").contains("key 'lr_scheduler_kwargs': expected a mapping"))
        #expect(errorText { _ = try GRPORecipe.parse(yaml: "[1, 2]", source: "r.yaml") }.contains("a recipe is a mapping"))
        #expect(errorText { _ = try GRPORecipe.parse(yaml: "a: [", source: "r.yaml") }.contains("not valid YAML"))
    }

    @Test func invalidValuesAreClearErrors() throws {
        func error(_ text: String) -> String { errorText { _ = try GRPORecipe.parse(yaml: recipeText(text), source: "r.yaml") } }
        #expect(error("learning_rate: -1.0e-6\n").contains("r.yaml:3: malformed: key 'learning_rate': must be a finite number >= 0"))
        #expect(error("num_generations: 1\nper_device_train_batch_size: 1\n").contains("must be at least 2"))
        let batch = error("num_generations: 3\nper_device_train_batch_size: 4\n")
        #expect(batch.contains("must be divisible by num_generations 3") && batch.contains("valid values here: 2, 4"))
        #expect(error("num_generations: 3\nper_device_train_batch_size: 3\nnum_processes: 2\n").isEmpty)
        #expect(error("max_steps: 100\nstop_at_step: 150\n").contains("past max_steps 100"))
        #expect(error("reward_funcs: [accuracy, fromat]\n").contains("unknown reward function 'fromat' (did you mean 'format'?)"))
        #expect(error("reward_funcs: [accuracy, format]\nreward_weights: [1.0]\n").contains("1 weights for 2 reward functions"))
        #expect(error("lr_scheduler_type: cosine_with_min_lr\n").contains("exactly one of min_lr_rate and min_lr"))
        #expect(error("lr_scheduler_kwargs:\n  min_lr_rate: 0.1\n").contains("apply only to lr_scheduler_type cosine_with_min_lr"))
        #expect(error("use_peft: true\nlora_target_modules: [q_proj, v_prj]\n").contains("did you mean 'v_proj'?"))
        #expect(error("temperature: 0\n").contains("key 'temperature': must be > 0"))
        #expect(error("epsilon_high: 0.1\n").contains("must be >= epsilon"))
        #expect(error("fp16: true\n").contains("fp16 training is not implemented"))
        #expect(error("use_dora: true\n").contains("key 'use_dora' must be false"))
        #expect(error("use_dora: false\n").isEmpty)
        #expect(error("system_prompt: hi\nsystem_prompt_preset: open_rs\n").contains("not both"))
        #expect(errorText { _ = try GRPORecipe.parse(yaml: "dataset_name: d.jsonl\n", source: "r.yaml") }.contains("'model_name_or_path': required"))
    }

    @Test func valueSpellingsTRLAccepts() throws {
        #expect(try GRPORecipe.parse(yaml: recipeText("learning_rate: 1e-06\n"), source: "r").learningRate == 1e-6)
        #expect(try GRPORecipe.parse(yaml: recipeText("scale_rewards: true\n"), source: "r").scaleRewards == .group)
        #expect(try GRPORecipe.parse(yaml: recipeText("scale_rewards: false\n"), source: "r").scaleRewards == RewardScaling.none)
        #expect(try GRPORecipe.parse(yaml: recipeText("scale_rewards: batch\n"), source: "r").scaleRewards == .batch)
        #expect(try GRPORecipe.parse(yaml: recipeText("use_peft: true\nlora_target_modules: all-linear\n"), source: "r")
            .resolvedLoraTargetModules == GRPORecipe.loraModuleNames)
        #expect(try GRPORecipe.parse(yaml: recipeText("max_prompt_length: null\n"), source: "r").maxPromptLength == nil)
        // Tina's own key names for the rewards.
        let tina = try GRPORecipe.parse(yaml: recipeText("rl_post_train_reward_funcs: [format]\nrl_post_train_reward_weights: [2.0]\n"), source: "r")
        #expect(tina.rewardFuncs == ["format"] && tina.rewardWeights == [2.0])
        #expect(errorText { _ = try GRPORecipe.parse(yaml: recipeText("reward_funcs: [format]\nrl_post_train_reward_funcs: [format]\n"), source: "r") }
            .contains("repeats 'reward_funcs' set at r:3"))
        let ignored = try GRPORecipe.parse(yaml: recipeText("use_vllm: true\nvllm_device: cuda:0\npush_to_hub: false\n"), source: "r")
        #expect(ignored.notes.count == 3 && ignored.notes[0].hasPrefix("use_vllm: accepted and ignored (vLLM"))
    }

    @Test func overridesUseTheSameRules() throws {
        let path = try temporaryFile("small.yaml", recipeText("lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs:\n  min_lr_rate: 0.1\n"))
        let recipe = try GRPORecipe.load(path: path, overrides: [
            "learning_rate=5e-6", "lr_scheduler_kwargs.min_lr_rate=0.05", "reward_funcs=[accuracy]", "scale_rewards=false",
            "max_prompt_length=", "system_prompt=Be brief.", "output_dir=runs/x",
        ])
        #expect(recipe.learningRate == 5e-6 && recipe.lrSchedulerKwargs.minLRRate == 0.05 && recipe.rewardFuncs == ["accuracy"])
        #expect(recipe.scaleRewards == RewardScaling.none && recipe.maxPromptLength == nil && recipe.systemPrompt == "Be brief.")
        #expect(recipe.resolvedOutputDir == "runs/x")
        #expect(try GRPORecipe.load(path: path).resolvedOutputDir == "runs/small")

        let typo = errorText { _ = try GRPORecipe.load(path: path, overrides: ["scale_reward=false"]) }
        #expect(typo.contains("--set scale_reward=false") && typo.contains("did you mean 'scale_rewards'?"))
        let type = errorText { _ = try GRPORecipe.load(path: path, overrides: ["num_generations=many"]) }
        #expect(type.contains("--set num_generations=many") && type.contains("expected an integer"))
        #expect(errorText { _ = try GRPORecipe.load(path: path, overrides: ["lr_scheduler_kwargs.min_lr_rat=0.1"]) }.contains("did you mean 'min_lr_rate'?"))
        #expect(errorText { _ = try GRPORecipe.load(path: path, overrides: ["learning_rate"]) }.contains("expected KEY=VALUE"))
        #expect(errorText { _ = try GRPORecipe.load(path: path, overrides: ["seed.x=1"]) }.contains("'seed' has no sub-keys"))
        #expect(errorText { _ = try GRPORecipe.load(path: path, overrides: ["learning_rate=-1"]) }.contains("--set learning_rate=-1: malformed: key 'learning_rate'"))
    }

    @Test func resolvedYAMLLoadsBackToTheSameRecipe() throws {
        for file in try shippedRecipes() {
            var recipe = try GRPORecipe.load(path: file, overrides: ["seed=7"])
            let dumped = try recipe.resolvedYAML(overrides: ["seed=7"])
            #expect(dumped.contains("# source: \(file)") && dumped.contains("# --set seed=7"))
            var again = try GRPORecipe.parse(yaml: dumped, source: "dump")
            #expect(again.notes.isEmpty)
            again.notes = recipe.notes
            again.recipePath = recipe.recipePath
            if again != recipe { recipe.notes = []; Issue.record("\(file) did not round-trip:\n\(dumped)") }
        }
        // Strings that look like numbers stay strings; doubles print in their short form.
        let odd = try GRPORecipe.parse(yaml: recipeText("system_prompt: '1e5'\nmodel_revision: '2.5'\nlearning_rate: 3.0e-6\n"), source: "r")
        let dumped = try odd.resolvedYAML()
        #expect(dumped.contains("learning_rate: 3e-06\n") && dumped.contains("lora_dropout: 0.05\n"))
        #expect(try GRPORecipe.parse(yaml: dumped, source: "dump") == odd)
    }
}
