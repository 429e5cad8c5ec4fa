/** The playground's starting tabs: one per thing a new user wants to try. */
export const EXAMPLE_TABS: { query: string; variables?: string }[] = [
  {
    query: `# Your documents, newest first. Press Ctrl-Enter (or the ▶ button) to run.
query ListDocuments {
  documents(first: 10) {
    edges {
      node {
        id
        filename
        status
        detectedType
        size
        createdAt
        job {
          id
          status
          stage
          progress
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`,
  },
  {
    query: `# Full-text search of your documents' text and file names: words (all must appear),
# "exact phrases", prefix*, -excluded. Accents and case are ignored. Each snippet is plain text;
# "highlights" are the ranges (UTF-16 offsets) of the matches in it.
query SearchDocuments($query: String!) {
  searchDocuments(query: $query, first: 10) {
    edges {
      node {
        score
        document {
          id
          filename
          status
        }
        snippets {
          field
          text
          highlights {
            start
            length
          }
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`,
    variables: '{ "query": "playground" }',
  },
  {
    query: `# Upload a file: open the "Upload" panel (paperclip icon on the left), pick a file, then run.
# The chosen file is sent as $file in a GraphQL multipart request.
mutation Upload($file: Upload!) {
  createDocument(input: { file: $file }) {
    document {
      id
      filename
      size
      status
      job {
        id
      }
    }
  }
}
`,
    variables: '{ "file": null }',
  },
  {
    query: `# Live progress of a job over WebSockets (graphql-ws). Paste a job id from an upload.
# The first event is the current state; the stream ends when the job completes or fails.
subscription WatchJob($jobId: ID!) {
  jobUpdated(jobId: $jobId) {
    status
    stage
    progress
    version
    error {
      code
      message
    }
  }
}
`,
    variables: '{ "jobId": "paste-a-job-id" }',
  },
  {
    query: `# One document with a fresh download link (valid 15 minutes).
query DocumentById($id: ID!) {
  document(id: $id) {
    id
    filename
    contentType
    detectedType
    size
    sha256
    status
    downloadUrl
  }
}
`,
    variables: '{ "id": "paste-a-document-id" }',
  },
  {
    query: `# API keys for scripts and CI. Run "CreateApiKey" once: the key (dpk_…) is shown only in
# its answer; send it as "Authorization": "Bearer dpk_…". "ListApiKeys" never shows keys, and
# "RevokeApiKey" (id from the list) stops one at once.
query ListApiKeys {
  apiKeys {
    id
    name
    createdAt
    revokedAt
  }
}

mutation CreateApiKey($name: String!) {
  createApiKey(input: { name: $name }) {
    apiKey {
      id
      name
      createdAt
    }
    key
  }
}

mutation RevokeApiKey($id: ID!) {
  revokeApiKey(input: { id: $id }) {
    id
    revoked
  }
}
`,
    variables: '{ "name": "my script", "id": "paste-a-key-id" }',
  },
];
